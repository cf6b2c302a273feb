using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace CallRecords.Bench;

/// <summary>The PowerShell engine with the built module imported (out/CallRecords), as the tests host it.</summary>
public sealed class EngineHost
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string ModuleManifest = Path.Combine(RepoRoot, "out/CallRecords/CallRecords.psd1");

    private readonly InitialSessionState _state;

    public EngineHost()
    {
        if (!File.Exists(ModuleManifest)) throw new InvalidOperationException($"Build first (dotnet build -c Release): {ModuleManifest} is missing.");
        _state = InitialSessionState.CreateDefault2();
        _state.ImportPSModule(new[] { ModuleManifest });
    }

    /// <summary>Runs a script in a fresh runspace; a terminating error or any error record fails the run.</summary>
    public Collection<PSObject> Run(string script, IDictionary<string, object?> variables)
    {
        using var ps = PowerShell.Create(_state);
        foreach (var (name, value) in variables) ps.Runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        var output = ps.Invoke();
        if (ps.Streams.Error.Count > 0) throw new InvalidOperationException("The script wrote errors: " + string.Join(" | ", ps.Streams.Error.Select(e => e.ToString())));
        return output;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CallRecords.PS.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (CallRecords.PS.sln) above " + AppContext.BaseDirectory);
    }
}
