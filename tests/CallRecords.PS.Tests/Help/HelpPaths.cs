namespace CallRecords.PS.Tests.Help;

/// <summary>Where the tests find the repository's docs, the help fixtures and the built module.</summary>
internal static class HelpPaths
{
    // bin/<Configuration>/net10.0/ → the repository root, as the harness smoke test resolves it.
    public static string RepoRoot { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    public static string Docs => Path.Combine(RepoRoot, "docs");

    public static string Fixtures => Path.Combine(RepoRoot, "tests", "CallRecords.PS.Tests", "Help", "Fixtures");

    public static string ModuleManifest => Path.Combine(RepoRoot, "out", "CallRecords", "CallRecords.psd1");

    public static string SampleFixture => Path.Combine(Fixtures, "Get-Sample.md");
}
