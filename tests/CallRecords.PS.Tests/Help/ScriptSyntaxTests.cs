using System.Management.Automation.Language;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>
/// The PowerShell scripts that ship with the repository (build.ps1, examples/, the Pester suite and its helper module)
/// cannot run here (no pwsh, no Pester), so at least the engine's parser must accept every one of them.
/// </summary>
public class ScriptSyntaxTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        var root = HelpPaths.RepoRoot;
        var files = new[] { Path.Combine(root, "build.ps1") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "examples"), "*.ps1"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "tests", "Acceptance"), "*.ps*1", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase)));
        foreach (var file in files.Order(StringComparer.Ordinal)) data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Fact]
    public void TheSuitesHelperModuleIsAmongTheCheckedScripts() =>
        Assert.Contains("tests/Acceptance/TestHelpers/CallRecordsTestHelpers.psm1", Scripts().Cast<object[]>().Select(row => ((string)row[0]).Replace('\\', '/')));

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ParsesWithoutErrors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(HelpPaths.RepoRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0,
            relativePath + ":\n" + string.Join("\n", errors.Select(e => $"line {e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void TheExportExampleEndsWithANonZeroExitCodeOnFailure()
    {
        var path = Path.Combine(HelpPaths.RepoRoot, "examples", "Export-DailyCallRecords.ps1");
        var ast = Parser.ParseFile(path, out _, out _);
        var tries = ast.FindAll(a => a is TryStatementAst, true).Cast<TryStatementAst>().ToList();
        var outer = Assert.Single(tries, t => t.CatchClauses.Count == 1 && t.Finally is not null);
        var exit = outer.CatchClauses[0].Body.FindAll(a => a is ExitStatementAst, true).Cast<ExitStatementAst>().Single();
        Assert.Equal("1", exit.Pipeline?.Extent.Text);
        var preference = ast.FindAll(a => a is AssignmentStatementAst s && s.Left.Extent.Text == "$ErrorActionPreference", false)
            .Cast<AssignmentStatementAst>().Single();
        Assert.Equal("'Stop'", preference.Right.Extent.Text);
    }
}
