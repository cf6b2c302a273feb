using System.Xml.Linq;
using CallRecords.Build.Help;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>The fixture page through the converter: every platyPS construct lands in the MAML element Get-Help reads.</summary>
public class MamlConverterTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static XElement SampleCommand()
    {
        var help = PlatyPsMarkdown.Parse(File.ReadAllText(HelpPaths.SampleFixture), "Get-Sample.md");
        var doc = MamlWriter.ToDocument([help]);
        var root = doc.Root!;
        Assert.Equal(XName.Get("helpItems", "http://msh"), root.Name);
        Assert.Equal("maml", (string?)root.Attribute("schema"));
        return Assert.Single(root.Elements(Command + "command"));
    }

    private static string[] Paras(XElement? parent) =>
        parent is null ? [] : parent.Elements(Maml + "para").Select(p => p.Value).ToArray();

    private static XElement Parameter(XElement container, string name) =>
        container.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);

    [Fact]
    public void DetailsCarryNameVerbNounAndSynopsis()
    {
        var details = SampleCommand().Element(Command + "details")!;
        Assert.Equal("Get-Sample", details.Element(Command + "name")!.Value);
        Assert.Equal("Get", details.Element(Command + "verb")!.Value);
        Assert.Equal("Sample", details.Element(Command + "noun")!.Value);
        Assert.Equal(["Gets samples for the help converter's tests."], Paras(details.Element(Maml + "description")));
    }

    [Fact]
    public void DescriptionKeepsParagraphsListsAndCodeAndRendersInlineMarkdown()
    {
        var paras = Paras(SampleCommand().Element(Maml + "description"));
        Assert.Equal(
        [
            "The first paragraph is wrapped over two lines in the source.",
            "The second paragraph has `code`, bold text, an escaped <angle> and a link (https://example.org/more).",
            "- first bullet",
            "- second bullet that continues on the next line",
            "1. numbered step",
            "Get-Sample | Format-Table",
        ], paras);
    }

    [Fact]
    public void SyntaxHasOneItemPerParameterSetDefaultFirstWithPerSetMetadata()
    {
        var items = SampleCommand().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("Get-Sample", i.Element(Maml + "name")!.Value));

        var list = items[0];
        Assert.Equal(["Name", "Kind", "Detailed"],
            list.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).ToArray());
        Assert.Equal("false", (string?)Parameter(list, "Detailed").Attribute("required"));
        // A switch shows no value placeholder in syntax; a ValidateSet shows its values.
        Assert.Null(Parameter(list, "Detailed").Element(Command + "parameterValue"));
        Assert.Equal(["audio", "video", "data"],
            Parameter(list, "Kind").Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value).ToArray());

        var byId = items[1];
        Assert.Equal(["Id", "Detailed"],
            byId.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).ToArray());
        Assert.Equal("true", (string?)Parameter(byId, "Detailed").Attribute("required"));
        Assert.Equal("true", (string?)Parameter(byId, "Id").Attribute("required"));
    }

    [Fact]
    public void ParametersCarryTypeRequiredPositionPipelineInputAliasesAndDescription()
    {
        var parameters = SampleCommand().Element(Command + "parameters")!;
        Assert.Equal(["Name", "Kind", "Id", "Detailed"],
            parameters.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).ToArray());

        var name = Parameter(parameters, "Name");
        Assert.Equal("false", (string?)name.Attribute("required"));
        Assert.Equal("0", (string?)name.Attribute("position"));
        Assert.Equal("True (ByValue)", (string?)name.Attribute("pipelineInput"));
        Assert.Equal("true", (string?)name.Attribute("globbing"));
        Assert.Equal("true", (string?)name.Attribute("variableLength"));
        Assert.Equal("SampleName, N", (string?)name.Attribute("aliases"));
        Assert.Equal("String[]", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("String[]", name.Element(Command + "parameterValue")!.Value);
        Assert.Equal("All samples", name.Element(Dev + "defaultValue")!.Value);
        Assert.Equal(["Names of the samples to get. Wildcards are permitted."], Paras(name.Element(Maml + "description")));

        var id = Parameter(parameters, "Id");
        Assert.Equal("true", (string?)id.Attribute("required"));
        Assert.Equal("named", (string?)id.Attribute("position"));
        Assert.Equal("True (ByPropertyName, ByValue)", (string?)id.Attribute("pipelineInput"));
        Assert.Equal("CallRecordId", (string?)id.Attribute("aliases"));

        var kind = Parameter(parameters, "Kind");
        Assert.Equal("none", (string?)kind.Attribute("aliases"));
        Assert.Equal("False", (string?)kind.Attribute("pipelineInput"));
        Assert.Equal("false", (string?)kind.Attribute("globbing"));

        var detailed = Parameter(parameters, "Detailed");
        Assert.Equal("SwitchParameter", detailed.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("false", (string?)detailed.Element(Command + "parameterValue")!.Attribute("required"));
        Assert.Equal("False", detailed.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void ExamplesKeepTitleIntroductionCodeAndRemarks()
    {
        var examples = SampleCommand().Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.Equal(2, examples.Count);

        Assert.Contains("Example 1: List samples by name", examples[0].Element(Maml + "title")!.Value);
        Assert.Null(examples[0].Element(Maml + "introduction"));
        Assert.Equal("Get-Sample -Name 'a*'", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal(["Lists the samples whose names start with a."], Paras(examples[0].Element(Dev + "remarks")));

        Assert.Contains("Example 2: Pipe ids and show the output", examples[1].Element(Maml + "title")!.Value);
        Assert.Equal(["This introduction comes before the code."], Paras(examples[1].Element(Maml + "introduction")));
        Assert.Equal("'id-1', 'id-2' | Get-Sample -Detailed\n\nName Kind\n---- ----\na    audio",
            examples[1].Element(Dev + "code")!.Value);
        Assert.Equal(["The remark after the code.", "A second remark paragraph."], Paras(examples[1].Element(Dev + "remarks")));
    }

    [Fact]
    public void InputsOutputsAndNotesLandInTheirElements()
    {
        var command = SampleCommand();
        var inputs = command.Element(Command + "inputTypes")!.Elements(Command + "inputType").ToList();
        Assert.Equal(["System.String[]", "CallRecords.Sample"],
            inputs.Select(i => i.Element(Dev + "type")!.Element(Maml + "name")!.Value).ToArray());
        Assert.Equal(["Names, by value."], Paras(inputs[0].Element(Maml + "description")));

        var output = Assert.Single(command.Element(Command + "returnValues")!.Elements(Command + "returnValue"));
        Assert.Equal("CallRecords.Sample", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["One object per sample."], Paras(output.Element(Maml + "description")));

        Assert.Equal(["The first note.", "The second note."],
            Paras(command.Element(Maml + "alertSet")!.Element(Maml + "alert")));
    }

    [Fact]
    public void RelatedLinksStartWithTheOnlineVersionAndDropRelativeUris()
    {
        var links = SampleCommand().Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value)).ToArray();
        Assert.Equal(
        [
            ("Online Version:", "https://example.org/help/Get-Sample"),
            ("Get-Other", ""),
            ("Online docs", "https://example.org/docs"),
        ], links);
    }

    [Fact]
    public void ParsedModelMatchesThePage()
    {
        var help = PlatyPsMarkdown.Parse(File.ReadAllText(HelpPaths.SampleFixture), "Get-Sample.md");
        Assert.True(help.SupportsCommonParameters);
        Assert.Equal(["List", "ById"], help.ParameterSets.Select(s => s.Name).ToArray());
        Assert.True(help.ParameterSets[0].IsDefault);
        Assert.False(help.ParameterSets[1].IsDefault);
        Assert.Equal(2, help.Parameters.Single(p => p.Name == "Detailed").Metadata.Count);
    }
}
