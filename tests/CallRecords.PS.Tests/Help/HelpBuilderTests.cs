using System.Xml.Linq;
using CallRecords.Build.Help;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>The folder-level conversion the build runs, and the about-topic text format.</summary>
public sealed class HelpBuilderTests : IDisposable
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "crhelp-" + Guid.NewGuid().ToString("N"));

    private string DocsDir => Path.Combine(_root, "docs");

    private string OutDir => Path.Combine(_root, "out");

    public HelpBuilderTests() => Directory.CreateDirectory(DocsDir);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Page(string name, string text) => File.WriteAllText(Path.Combine(DocsDir, name), text);

    private const string AboutPage = """
        # about_Test

        ## Short description
        A one-line summary of the topic.

        ## Long description
        The first paragraph of the topic, long enough that it has to be wrapped at eighty columns when the about file is written.

        ### A subsection
        - one
        - two

        ```powershell
        Get-Sample
        ```
        """;

    [Fact]
    public void ConvertsCommandPagesAndAboutTopicsAndSkipsEverythingElse()
    {
        Page("Get-Sample.md", File.ReadAllText(HelpPaths.SampleFixture));
        Page("about_Test.md", AboutPage);
        Page("README.md", "# Docs\n");
        Page("performance.md", "# Performance\n");
        Page("reliability.md", "# Reliability\n");
        Page("design-notes.md", "# Notes without front matter\n");

        var result = HelpBuilder.Build(DocsDir, OutDir, "CallRecords.dll-Help.xml");

        Assert.Empty(result.Errors);
        Assert.Equal(["Get-Sample"], result.Commands.Select(c => c.Name).ToArray());
        Assert.Equal(["about_Test"], result.AboutTopics.ToArray());
        Assert.Equal(["README.md", "design-notes.md", "performance.md", "reliability.md"],
            result.Skipped.Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        var maml = XDocument.Load(Path.Combine(OutDir, "CallRecords.dll-Help.xml"));
        Assert.Single(maml.Root!.Elements(Command + "command"));
        Assert.True(File.Exists(Path.Combine(OutDir, "about_Test.help.txt")));
    }

    [Fact]
    public void ReportsEveryBrokenPageAndWritesNothing()
    {
        var sample = File.ReadAllText(HelpPaths.SampleFixture);
        Page("Get-Sample.md", sample);
        Page("Get-NoSynopsis.md", sample.Replace("# Get-Sample", "# Get-NoSynopsis")
            .Replace("## SYNOPSIS\nGets samples for the help converter's tests.\n", ""));
        Page("about_Broken.md", "# about_Broken\n\nNo short description here.\n");

        var result = HelpBuilder.Build(DocsDir, OutDir, "CallRecords.dll-Help.xml");

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.File.EndsWith("Get-NoSynopsis.md", StringComparison.Ordinal) && e.Message.Contains("SYNOPSIS"));
        Assert.Contains(result.Errors, e => e.File.EndsWith("about_Broken.md", StringComparison.Ordinal) && e.Message.Contains("Short description"));
        Assert.False(Directory.Exists(OutDir));
    }

    [Fact]
    public void APageMustBeNamedAfterItsCommand()
    {
        Page("Get-Other.md", File.ReadAllText(HelpPaths.SampleFixture));
        var error = Assert.Single(HelpBuilder.Build(DocsDir, OutDir, "x.xml").Errors);
        Assert.Contains("Get-Sample.md", error.Message);
    }

    [Fact]
    public void RemovesAboutTopicsWhoseSourceIsGone()
    {
        Directory.CreateDirectory(OutDir);
        File.WriteAllText(Path.Combine(OutDir, "about_Old.help.txt"), "old");
        Page("about_Test.md", AboutPage);

        HelpBuilder.Build(DocsDir, OutDir, "CallRecords.dll-Help.xml");

        Assert.False(File.Exists(Path.Combine(OutDir, "about_Old.help.txt")));
        Assert.True(File.Exists(Path.Combine(OutDir, "about_Test.help.txt")));
    }

    [Fact]
    public void AboutTopicPutsTheShortDescriptionOnLineFiveWhereGetHelpReadsIt()
    {
        var text = AboutTopicWriter.Convert(AboutPage, "about_Test.md");
        var lines = text.Split('\n');
        Assert.Equal("TOPIC", lines[0]);
        Assert.Equal("    about_Test", lines[1]);
        Assert.Equal("SHORT DESCRIPTION", lines[3]);
        Assert.Equal("    A one-line summary of the topic.", lines[4]);
        var longAt = Array.IndexOf(lines, "LONG DESCRIPTION");
        Assert.True(longAt > 4);
        Assert.StartsWith("    The first paragraph of the topic", lines[longAt + 1]);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"line longer than 80 columns: '{l}'"));
        Assert.Contains("  A subsection", lines);
        // List items stay together; code is indented under the text.
        var one = Array.IndexOf(lines, "    - one");
        Assert.True(one > 0);
        Assert.Equal("    - two", lines[one + 1]);
        Assert.Contains("        Get-Sample", lines);
    }

    [Fact]
    public void AboutTopicTitleMustMatchTheFileName()
    {
        var e = Assert.Throws<HelpDocumentException>(() => AboutTopicWriter.Convert(AboutPage, "about_Other.md"));
        Assert.Contains("about_Other.md", e.Message);
    }

    [Fact]
    public void TheRepositoryDocsConvertCleanly()
    {
        var result = HelpBuilder.Build(HelpPaths.Docs, OutDir, "CallRecords.dll-Help.xml");
        Assert.Empty(result.Errors.Select(e => e.Message));
        Assert.Contains("Get-CallRecordConnection", result.Commands.Select(c => c.Name));
        Assert.Contains("about_CallRecords", result.AboutTopics);
        Assert.Contains("README.md", result.Skipped.Select(Path.GetFileName));
    }
}
