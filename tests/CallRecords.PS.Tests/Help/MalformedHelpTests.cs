using CallRecords.Build.Help;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>Pages the build must refuse, each with a message that names the file and says what is wrong.</summary>
public class MalformedHelpTests
{
    private static readonly string Sample = File.ReadAllText(HelpPaths.SampleFixture).Replace("\r\n", "\n");

    private static string Mutate(string from, string to)
    {
        Assert.Contains(from, Sample);
        return Sample.Replace(from, to);
    }

    private static string Cut(string start, string end)
    {
        var from = Sample.IndexOf(start, StringComparison.Ordinal);
        var to = Sample.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from);
        return Sample.Remove(from, to - from);
    }

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "missing synopsis", Mutate("## SYNOPSIS\nGets samples for the help converter's tests.\n", ""), "SYNOPSIS" },
        { "empty synopsis", Mutate("Gets samples for the help converter's tests.\n", ""), "SYNOPSIS" },
        { "missing description", Cut("## DESCRIPTION\n", "## EXAMPLES\n"), "DESCRIPTION" },
        { "parameter without yaml", Mutate("The kind of sample.\n\n```yaml\nType: String\nParameter Sets: List\nAliases:\nAccepted values: audio, video, data\n\nRequired: False\nPosition: Named\nDefault value: None\nAccept pipeline input: False\nAccept wildcard characters: False\n```\n", "The kind of sample.\n"), "-Kind has no ```yaml block" },
        { "parameter without description", Mutate("### -Kind\nThe kind of sample.\n", "### -Kind\n"), "-Kind has no description" },
        { "yaml without Required", Mutate("Required: True\nPosition: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName, ByValue)", "Position: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName, ByValue)"), "no 'Required:'" },
        { "bad Required", Mutate("Required: True\nPosition: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName, ByValue)", "Required: yes\nPosition: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName, ByValue)"), "Required must be True or False" },
        { "bad pipeline input", Mutate("Accept pipeline input: True (ByValue)", "Accept pipeline input: sometimes"), "Accept pipeline input" },
        { "bad position", Mutate("Position: 0", "Position: first"), "Position 'first'" },
        { "unknown parameter set", Mutate("Parameter Sets: ById\nAliases: CallRecordId", "Parameter Sets: ByName\nAliases: CallRecordId"), "'ByName'" },
        { "example without code", Mutate("```powershell\nGet-Sample -Name 'a*'\n```\n", ""), "has no code block" },
        { "unknown section", Mutate("## NOTES", "## REMARKS"), "unknown section '## REMARKS'" },
        { "duplicate section", Mutate("## NOTES\nThe first note.", "## NOTES\nThe first note.\n\n## NOTES\nAgain."), "appears twice" },
        { "placeholder", Mutate("Gets samples for the help converter's tests.", "{{ Fill in the Synopsis }}"), "placeholder" },
        { "unclosed fence", Sample + "\n```powershell\nGet-Sample\n", "never closed" },
        { "text outside a subsection", Mutate("## PARAMETERS\n", "## PARAMETERS\nStray text.\n"), "outside a '### …' subsection" },
        { "bad parameter heading", Mutate("### -Kind", "### Kind"), "'### -Name'" },
        { "no command heading", Mutate("# Get-Sample\n", ""), "'# Verb-Noun'" },
        { "unsupported schema", Mutate("schema: 2.0.0", "schema: 1.0.0"), "schema '1.0.0'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsRefusedWithAMessageNamingTheFile(string name, string page, string expected)
    {
        var e = Assert.Throws<HelpDocumentException>(() => PlatyPsMarkdown.Parse(page, "Get-Broken.md"));
        Assert.StartsWith("Get-Broken.md", e.Message);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{name}: '{e.Message}' lacks '{expected}'");
    }

    [Fact]
    public void LineNumberPointsAtTheOffendingParameter()
    {
        var page = Mutate("### -Kind\nThe kind of sample.\n", "### -Kind\n");
        var e = Assert.Throws<HelpDocumentException>(() => PlatyPsMarkdown.Parse(page, "Get-Broken.md"));
        var expectedLine = Array.IndexOf(page.Split('\n'), "### -Kind") + 1;
        Assert.Equal(expectedLine, e.Line);
        Assert.StartsWith($"Get-Broken.md({expectedLine}):", e.Message);
    }
}
