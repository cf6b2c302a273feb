using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CallRecords.PS.Tests.Engine;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests;

[Collection(EngineCollection.Name)]
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
        // The engine must resolve the module's implementing assembly to the one this test project references, so
        // objects from the pipeline are the same CLR types the assertions name.
        var module = (PSModuleInfo)mod.Single().BaseObject;
        Assert.Equal(typeof(CallRecords.Cmdlets.GetCallRecordConnectionCommand).Assembly, module.ImplementingAssembly);
        Assert.Equal(Path.Combine(root, "out", "CallRecords"), module.ModuleBase);
        Assert.Equal(
            new[]
            {
                "Add-CallRecordSegment", "Add-CallRecordSession", "Connect-CallRecordGraph", "Disconnect-CallRecordGraph", "Get-CallRecord",
                "Get-CallRecordArchive", "Get-CallRecordConnection", "Get-CallRecordDirectRoutingCall", "Get-CallRecordParticipant", "Get-CallRecordPstnBlockedUserLog",
                "Get-CallRecordPstnCall", "Get-CallRecordPstnDialoutReport", "Get-CallRecordSegment", "Get-CallRecordSession",
                "Get-CallRecordSmsLog", "Get-CallRecordStream", "New-CallRecord", "Open-CallRecordArchive", "Remove-CallRecordSession", "Set-CallRecordSession",
                "Sync-CallRecord",
            },
            module.ExportedCmdlets.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }
}
