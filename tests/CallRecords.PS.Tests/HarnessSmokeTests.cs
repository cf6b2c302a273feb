using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace CallRecords.PS.Tests;

public class HarnessSmokeTests
{
    [Fact]
    public void ImportsBuiltModule()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var psd1 = Path.Combine(root, "out/CallRecords/CallRecords.psd1");
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddCommand("Import-Module").AddParameter("Name", psd1).AddParameter("PassThru");
        var mod = ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        ps.Commands.Clear();
        ps.AddCommand("Get-CallRecordConnection");
        var r = ps.Invoke();
        Assert.Equal("frame", r.Single().BaseObject);
        // The engine must resolve the module's implementing assembly to the one this test project references, so
        // objects from the pipeline are the same CLR types the assertions name.
        var module = (PSModuleInfo)mod.Single().BaseObject;
        Assert.Equal(typeof(CallRecords.Cmdlets.GetCallRecordConnectionCommand).Assembly, module.ImplementingAssembly);
        Assert.Equal(Path.Combine(root, "out", "CallRecords"), module.ModuleBase);
    }
}
