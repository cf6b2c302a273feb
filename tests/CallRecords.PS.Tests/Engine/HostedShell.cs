using System.Management.Automation;
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

    public static PowerShell Create(IDictionary<string, object?>? variables = null)
    {
        var ps = PowerShell.Create(State.Value);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            ps.Runspace.SessionStateProxy.SetVariable(name, value);
        return ps;
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
