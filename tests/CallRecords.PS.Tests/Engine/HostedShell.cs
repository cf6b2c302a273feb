using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace CallRecords.PS.Tests.Engine;

/// <summary>A runspace with the built module imported, for tests that read streams <see cref="PsRun"/> does not
/// carry (progress, debug) or call engine functions such as TabExpansion2 and Get-FormatData.</summary>
internal static class HostedShell
{
    private static readonly Lazy<InitialSessionState> State = new(() =>
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(new[] { EngineFixture.ModuleManifest });
        return state;
    });

    /// <summary>A runspace on the engine's "Default Host", which has no user interface: non-interactive to the module.</summary>
    public static PowerShell Create(IDictionary<string, object?>? variables = null)
    {
        var ps = PowerShell.Create(State.Value);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            ps.Runspace.SessionStateProxy.SetVariable(name, value);
        return ps;
    }

    /// <summary>A runspace on <paramref name="host"/> (e.g. an <see cref="TestHost.Interactive"/>). The runspace is not
    /// the PowerShell's own: dispose it too (<c>using var rs = ps.Runspace;</c>).</summary>
    public static PowerShell Create(PSHost host, IDictionary<string, object?>? variables = null)
    {
        var runspace = RunspaceFactory.CreateRunspace(host, State.Value);
        runspace.Open();
        var ps = PowerShell.Create(runspace);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            runspace.SessionStateProxy.SetVariable(name, value);
        return ps;
    }

    /// <summary>Runs <paramref name="script"/> in a fresh runspace on <paramref name="host"/> (the engine's Default Host
    /// when null) and returns what every stream carried.</summary>
    public static StreamsRun Invoke(string script, IDictionary<string, object?>? variables = null, PSHost? host = null)
    {
        using var ps = host is null ? Create(variables) : Create(host, variables);
        using var runspace = host is null ? null : ps.Runspace;
        ps.AddScript(script);
        var output = ps.Invoke();
        return new StreamsRun(output.ToList(), ps.Streams.Error.ToList(), ps.Streams.Progress.ToList(), ps.Streams.Debug.Select(d => d.Message).ToList());
    }

    /// <summary>TabExpansion2 for <paramref name="input"/> with the cursor at its end: the completion texts, in order.</summary>
    public static IReadOnlyList<CompletionResult> Complete(PowerShell ps, string input)
    {
        ps.Commands.Clear();
        ps.AddCommand("TabExpansion2").AddParameter("inputScript", input).AddParameter("cursorColumn", input.Length);
        var result = ps.Invoke<CommandCompletion>().Single();
        ps.Commands.Clear();
        return result.CompletionMatches.ToList();
    }
}

/// <summary>The output and streams of one <see cref="HostedShell.Invoke"/>.</summary>
internal sealed record StreamsRun(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<ProgressRecord> Progress, IReadOnlyList<string> Debug)
{
    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();
}
