using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>
/// What can be checked of the Pester suite without pwsh or Pester: every *.Tests.ps1 imports the shared helper module
/// (tests/Acceptance/TestHelpers/CallRecordsTestHelpers.psm1) in a BeforeAll and no longer starts the emulator itself;
/// every helper it calls exists with the parameters it passes; no file calls a function only another file defines;
/// and the helper module imports in the engine and its .NET-only functions work.
/// </summary>
public class AcceptanceSuiteTests
{
    private static string Acceptance => Path.Combine(HelpPaths.RepoRoot, "tests", "Acceptance");
    private static string HelperModule => Path.Combine(Acceptance, "TestHelpers", "CallRecordsTestHelpers.psm1");

    public static TheoryData<string> TestFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Acceptance, "*.Tests.ps1").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    private static ScriptBlockAst Parse(string path)
    {
        var ast = Parser.ParseFile(path, out _, out var errors);
        Assert.Empty(errors);
        return ast;
    }

    private static IEnumerable<CommandAst> Commands(Ast ast) => ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>();

    /// <summary>The helper module's exported functions with their parameter names, from the engine itself.</summary>
    private static readonly Lazy<Dictionary<string, HashSet<string>>> Helpers = new(() =>
    {
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddCommand("Import-Module").AddParameter("Name", HelperModule).AddParameter("PassThru", true);
        var module = ps.Invoke<PSModuleInfo>().Single();
        Assert.Empty(ps.Streams.Error);
        return module.ExportedFunctions.Values.ToDictionary(f => f.Name, f => f.Parameters.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
    });

    /// <summary>Helpers without a param block that hand their arguments on unbound (a child pwsh's command line).</summary>
    private static readonly HashSet<string> PassThrough = new(StringComparer.OrdinalIgnoreCase) { "Invoke-TestPwsh" };

    /// <summary>Functions a test file defines itself (function script:Name or function Name), by file.</summary>
    private static Dictionary<string, HashSet<string>> LocalFunctions() =>
        Directory.EnumerateFiles(Acceptance, "*.Tests.ps1").ToDictionary(f => Path.GetFileName(f), f =>
            Parse(f).FindAll(a => a is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>()
                .Select(d => d.Name.StartsWith("script:", StringComparison.OrdinalIgnoreCase) ? d.Name["script:".Length..] : d.Name)
                .ToHashSet(StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void TheHelperModuleExportsTheSuitesFunctions()
    {
        Assert.Equal(new[]
        {
            "Assert-TestTruth", "Clear-TestEmulatorHold", "Clear-TestEmulatorRequest", "Connect-TestEmulator", "Get-TestDotnetPath",
            "Get-TestEmulatorCounter", "Get-TestEmulatorHold", "Get-TestEmulatorRequest", "Get-TestEmulatorToken", "Get-TestFreePort",
            "Get-TestModuleManifest", "Get-TestNow", "Get-TestParticipantTruth", "Get-TestPwshCommand", "Get-TestRecordTruth",
            "Get-TestRepositoryRoot", "Get-TestSessionTruth", "Get-TestStreamTruth", "Get-TestTruthDifference", "Invoke-TestPwsh",
            "Set-TestEmulatorFault", "Set-TestEmulatorHold", "Start-TestEmulator", "Start-TestPwsh", "Stop-TestEmulator",
        }, Helpers.Value.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ItsDotNetOnlyFunctionsWorkInTheEngine()
    {
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddScript("param($m) Import-Module $m; Get-TestFreePort; Get-TestNow; Stop-TestEmulator $null").AddParameter("m", HelperModule);
        var output = ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        Assert.Equal(2, output.Count);
        Assert.InRange((int)output[0].BaseObject, 1, 65535);
        var now = (DateTimeOffset)output[1].BaseObject;
        Assert.Equal(TimeSpan.Zero, now.Offset);
        Assert.Equal(0, now.Ticks % TimeSpan.TicksPerMinute);
    }

    public static TheoryData<string[], string[], bool> TruthCases() => new()
    {
        { ["a", "b", "c"], ["a", "b", "c"], true },
        { ["a", "b", "c"], ["a", "c", "b", "b", "x"], true },
        { ["a", "b", "c"], [], true },
        { [], ["a"], true },
        { ["a", "b", "c"], ["c", "b", "a"], true },
        { ["a", "b", "c"], ["c", "b", "a"], false },
        { ["a", "b", "b", "c"], ["a", "b", "c", "c"], false },
        { ["a", "b", "c"], ["a", "b"], false },
        { Enumerable.Range(0, 15).Select(i => $"id{i}").ToArray(), ["id0"], true },
    };

    /// <summary>One "equals ground truth" for both suites: the Pester helper's message is the xunit helper's, case by
    /// case (ordered and not, missing, extra, duplicated, reordered, long lists cut).</summary>
    [Theory]
    [MemberData(nameof(TruthCases))]
    public void ThePesterTruthHelperSaysWhatTheXunitOneSays(string[] expected, string[] actual, bool ordered)
    {
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddScript("param($m, $e, $a, $u) Import-Module $m; Get-TestTruthDifference -Expected $e -Actual $a -What 'call records' -Unordered:$u")
            .AddParameter("m", HelperModule).AddParameter("e", expected).AddParameter("a", actual).AddParameter("u", !ordered);
        var output = ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        var fromPester = output.Count == 0 || output[0] is null ? null : (string)output[0].BaseObject;
        var fromXunit = TestSupport.TruthAssert.Difference(expected, actual, "call records", ordered);
        Assert.Equal(fromXunit, fromPester);
        Assert.Equal(expected.SequenceEqual(actual) || (!ordered && expected.Order(StringComparer.Ordinal).SequenceEqual(actual.Order(StringComparer.Ordinal))), fromXunit is null);
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void ImportsTheHelperModuleAndStartsNoEmulatorItself(string file)
    {
        var ast = Parse(Path.Combine(Acceptance, file));
        // The file's own BeforeAll (not a Describe's) imports the helper first, before anything in it can use it.
        var setup = Assert.Single(ast.EndBlock.Statements.OfType<PipelineAst>().Select(p => p.PipelineElements[0]).OfType<CommandAst>(),
            c => c.GetCommandName() == "BeforeAll");
        {
            var body = (ScriptBlockExpressionAst)setup.CommandElements[1];
            var first = body.ScriptBlock.EndBlock.Statements.OfType<PipelineAst>().First().PipelineElements[0] as CommandAst;
            Assert.NotNull(first);
            Assert.Equal("Import-Module", first!.GetCommandName());
            Assert.Equal("(Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1')", first.CommandElements[1].Extent.Text);
        }
        var names = Commands(ast).Select(c => c.GetCommandName()).Where(n => n is not null).ToList();
        Assert.DoesNotContain("Start-Process", names);
        Assert.DoesNotContain(ast.FindAll(a => a is TypeExpressionAst t && t.TypeName.FullName.EndsWith("TcpListener", StringComparison.Ordinal), true), _ => true);
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void EveryHelperCalledExistsWithTheParametersPassed(string file)
    {
        var ast = Parse(Path.Combine(Acceptance, file));
        var local = LocalFunctions()[file];
        foreach (var call in Commands(ast))
        {
            var name = call.GetCommandName();
            if (name is null || local.Contains(name)) continue;
            var noun = name.Contains('-') ? name[(name.IndexOf('-') + 1)..] : "";
            if (!noun.StartsWith("Test", StringComparison.Ordinal)) continue;
            Assert.True(Helpers.Value.TryGetValue(name, out var parameters), $"{file}: {name} is not exported by the helper module (line {call.Extent.StartLineNumber}).");
            if (PassThrough.Contains(name)) continue; // takes $args: every argument goes on to the child as typed
            foreach (var p in call.CommandElements.OfType<CommandParameterAst>())
                Assert.True(parameters!.Any(k => k.StartsWith(p.ParameterName, StringComparison.OrdinalIgnoreCase)),
                    $"{file}: {name} has no parameter -{p.ParameterName} (line {call.Extent.StartLineNumber}).");
        }
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void CallsNoFunctionThatOnlyAnotherFileDefines(string file)
    {
        var all = LocalFunctions();
        var local = all[file];
        var elsewhere = all.Where(kv => kv.Key != file).SelectMany(kv => kv.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var called = Commands(Parse(Path.Combine(Acceptance, file))).Select(c => c.GetCommandName()).Where(n => n is not null).Distinct(StringComparer.OrdinalIgnoreCase);
        var missing = called.Where(n => elsewhere.Contains(n!) && !local.Contains(n!) && !Helpers.Value.ContainsKey(n!)).ToList();
        Assert.True(missing.Count == 0, $"{file} calls {string.Join(", ", missing)}, defined only in other test files.");
    }
}
