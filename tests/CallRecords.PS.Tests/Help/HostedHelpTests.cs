using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>Get-Help in the real engine against the built module in out/CallRecords: the MAML and about topic the
/// build produced are found and read the way an admin sees them.</summary>
public class HostedHelpTests
{
    private static PowerShell ImportModule()
    {
        var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddCommand("Import-Module").AddParameter("Name", HelpPaths.ModuleManifest).AddParameter("ErrorAction", "Stop");
        ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        ps.Commands.Clear();
        return ps;
    }

    private static PSObject GetHelp(PowerShell ps, string name, bool full = true)
    {
        ps.Commands.Clear();
        ps.AddCommand("Get-Help").AddParameter("Name", name);
        if (full)
        {
            ps.AddParameter("Full");
        }

        var result = ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        return Assert.Single(result);
    }

    private static object? Prop(object? o, string name) =>
        o is null ? null : PSObject.AsPSObject(o).Properties[name]?.Value;

    /// <summary>A MAML field that may hold one item or several, as a list.</summary>
    private static List<object> Items(object? o) => o switch
    {
        null => [],
        PSObject { BaseObject: object[] array } => [.. array],
        object[] array => [.. array],
        _ => [o],
    };

    /// <summary>The text of a MAML description: an array of para objects with a Text property.</summary>
    private static string Text(object? description) =>
        string.Join("\n", Items(description).Select(p => Prop(p, "Text")?.ToString() ?? p.ToString()));

    private static bool IsFromMaml(PSObject help) =>
        !help.TypeNames.Any(t => t.Contains("ExtendedCmdletHelpInfo", StringComparison.OrdinalIgnoreCase));

    // The help file sits in out/CallRecords/en-US/. PowerShell looks in the current UI culture's folder, its parents,
    // the module folder, then falls back to en-US and en, so the help must be found from any culture, including the
    // invariant culture a test host or container often runs with.
    [Theory]
    [InlineData("en-US")]
    [InlineData("")]
    [InlineData("de-DE")]
    public void GetHelpFullReturnsTheMarkdownPageForGetCallRecordConnection(string culture)
    {
        var saved = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            using var ps = ImportModule();
            var help = GetHelp(ps, "Get-CallRecordConnection");

            Assert.True(IsFromMaml(help), "Get-Help generated help from metadata: the MAML file was not found");
            Assert.Equal("Get-CallRecordConnection", Prop(help, "Name"));
            Assert.Equal(
                "Shows the current Microsoft Graph connection that the CallRecords cmdlets use, without ever showing its token.",
                Prop(help, "Synopsis"));
            var description = Text(Prop(help, "description"));
            Assert.Contains("process-wide default connection", description);
            Assert.Contains("never exposes a secret or an access token", description);

            var examples = Items(Prop(Prop(help, "examples"), "example"));
            Assert.Equal(3, examples.Count);
            Assert.Contains("Example 1: Check which tenant and endpoint the module is using", Prop(examples[0], "title")?.ToString());
            Assert.Contains("Connect-CallRecordGraph -ManagedIdentity", Prop(examples[1], "code")?.ToString());
            Assert.Contains("Azure Automation runbook", Text(Prop(examples[1], "remarks")));

            var output = Items(Prop(Prop(help, "returnValues"), "returnValue")).Single();
            Assert.Equal("CallRecords.Connection.CallRecordConnection", Prop(Prop(output, "type"), "name")?.ToString());

            var links = Items(Prop(Prop(help, "relatedLinks"), "navigationLink"));
            Assert.Contains(links, l => Prop(l, "linkText")?.ToString() == "Connect-CallRecordGraph");
            Assert.Contains("CallRecords.Read.All", Text(Prop(Prop(help, "alertSet"), "alert")));
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    /// <summary>The fixture page, converted and placed beside a module whose Get-Sample cmdlet matches it, read back
    /// through Get-Help: parameters, syntax and examples as the engine understands our MAML.</summary>
    [Fact]
    public void ConvertedFixtureReadsBackThroughGetHelpWithParametersSyntaxAndExamples()
    {
        var moduleDir = Path.Combine(Path.GetTempPath(), "crhelp-module-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(moduleDir, "en-US"));
        try
        {
            var assembly = typeof(GetSampleCommand).Assembly.Location;
            var page = CallRecords.Build.Help.PlatyPsMarkdown.Parse(File.ReadAllText(HelpPaths.SampleFixture), "Get-Sample.md");
            File.WriteAllText(Path.Combine(moduleDir, "en-US", Path.GetFileName(assembly) + "-Help.xml"),
                CallRecords.Build.Help.MamlWriter.ToText([page]));
            var manifest = Path.Combine(moduleDir, "HelpSample.psd1");
            File.WriteAllText(manifest,
                $"@{{ RootModule = '{assembly}'; ModuleVersion = '1.0.0'; GUID = '{Guid.NewGuid()}'; CmdletsToExport = @('Get-Sample') }}");

            using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
            ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop");
            ps.Invoke();
            var help = GetHelp(ps, "Get-Sample");

            Assert.True(IsFromMaml(help), "the fixture's MAML was not found or not understood");
            Assert.Equal("Gets samples for the help converter's tests.", Prop(help, "Synopsis"));

            var parameters = Items(Prop(Prop(help, "parameters"), "parameter")).ToDictionary(p => Prop(p, "name")!.ToString()!);
            Assert.Equal(["Detailed", "Id", "Kind", "Name"], parameters.Keys.Order(StringComparer.Ordinal).ToArray());
            var name = parameters["Name"];
            Assert.Equal("false", Prop(name, "required")?.ToString());
            Assert.Equal("0", Prop(name, "position")?.ToString());
            Assert.Equal("True (ByValue)", Prop(name, "pipelineInput")?.ToString());
            Assert.Equal("true", Prop(name, "globbing")?.ToString());
            Assert.Equal("SampleName, N", Prop(name, "aliases")?.ToString());
            Assert.Equal("String[]", Prop(Prop(name, "type"), "name")?.ToString());
            Assert.Equal("Names of the samples to get. Wildcards are permitted.", Text(Prop(name, "description")));
            Assert.Equal("true", Prop(parameters["Id"], "required")?.ToString());
            Assert.Equal("True (ByPropertyName, ByValue)", Prop(parameters["Id"], "pipelineInput")?.ToString());

            var syntax = Items(Prop(Prop(help, "syntax"), "syntaxItem"));
            Assert.Equal(2, syntax.Count);
            Assert.Equal(["Name", "Kind", "Detailed"],
                Items(Prop(syntax[0], "parameter")).Select(p => Prop(p, "name")?.ToString() ?? "").ToArray());

            var examples = Items(Prop(Prop(help, "examples"), "example"));
            Assert.Equal(2, examples.Count);
            Assert.Equal("Get-Sample -Name 'a*'", Prop(examples[0], "code")?.ToString());
            Assert.Contains("This introduction comes before the code.", Text(Prop(examples[1], "introduction")));

            var links = Items(Prop(Prop(help, "relatedLinks"), "navigationLink"));
            Assert.Equal("https://example.org/help/Get-Sample", Prop(links[0], "uri")?.ToString());
        }
        finally
        {
            Directory.Delete(moduleDir, recursive: true);
        }
    }

    [Fact]
    public void GetHelpAboutCallRecordsShowsTheAboutTopic()
    {
        using var ps = ImportModule();
        var help = GetHelp(ps, "about_CallRecords", full: false);
        var text = help.ToString();
        Assert.StartsWith("TOPIC", text);
        Assert.Contains("CallRecords.Read.All", text);
        Assert.Contains("LONG DESCRIPTION", text);
        Assert.Contains("THROTTLING AND RETRIES", text);

        // Get-Help lists the topic with its synopsis (the short description) when searched for.
        ps.Commands.Clear();
        ps.AddCommand("Get-Help").AddParameter("Name", "about_CallRecord*").AddParameter("Category", "HelpFile");
        var listed = Assert.Single(ps.Invoke());
        Assert.Equal(
            "Reads Microsoft Teams call records, call quality and PSTN logs from Microsoft Graph, streamed into the pipeline.",
            Prop(listed, "Synopsis"));
    }

    private static IEnumerable<string> OwnParameters(CmdletInfo command) =>
        command.Parameters.Keys.Where(p =>
            !System.Management.Automation.Cmdlet.CommonParameters.Contains(p) &&
            !System.Management.Automation.Cmdlet.OptionalCommonParameters.Contains(p));

    /// <summary>The discoverability gate of issue #10: every exported cmdlet has written help — a real synopsis, at
    /// least two examples, and a description for each of its own parameters. A cmdlet without a docs page fails here.</summary>
    [Fact]
    public void EveryExportedCmdletHasSynopsisExamplesAndDescribedParameters()
    {
        using var ps = ImportModule();
        ps.AddCommand("Get-Command").AddParameter("Module", "CallRecords");
        var commands = ps.Invoke().Select(c => (CmdletInfo)c.BaseObject).ToList();
        Assert.NotEmpty(commands);

        var gaps = new List<string>();
        foreach (var command in commands)
        {
            var help = GetHelp(ps, command.Name);
            if (!IsFromMaml(help))
            {
                gaps.Add($"{command.Name}: no help page (write docs/{command.Name}.md)");
                continue;
            }

            var synopsis = Prop(help, "Synopsis")?.ToString()?.Trim() ?? "";
            if (synopsis.Length == 0 || synopsis.StartsWith(command.Name, StringComparison.OrdinalIgnoreCase))
            {
                gaps.Add($"{command.Name}: synopsis is empty or generated ('{synopsis}')");
            }

            var examples = Items(Prop(Prop(help, "examples"), "example"));
            if (examples.Count < 2)
            {
                gaps.Add($"{command.Name}: {examples.Count} example(s), at least 2 expected");
            }

            var documented = Items(Prop(Prop(help, "parameters"), "parameter"))
                .ToDictionary(p => Prop(p, "name")?.ToString() ?? "", p => Text(Prop(p, "description")), StringComparer.OrdinalIgnoreCase);
            foreach (var parameter in OwnParameters(command))
            {
                if (!documented.TryGetValue(parameter, out var description) || string.IsNullOrWhiteSpace(description))
                {
                    gaps.Add($"{command.Name}: parameter -{parameter} has no description");
                }
            }
        }

        Assert.True(gaps.Count == 0, "Help gaps:\n" + string.Join("\n", gaps));
    }
}

/// <summary>The cmdlet the fixture page describes, so the engine can resolve its help file from this assembly's name.</summary>
[Cmdlet(VerbsCommon.Get, "Sample", DefaultParameterSetName = "List")]
public sealed class GetSampleCommand : PSCmdlet
{
    [Parameter(ParameterSetName = "List", Position = 0, ValueFromPipeline = true)]
    [Alias("SampleName", "N")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter(ParameterSetName = "List")]
    [ValidateSet("audio", "video", "data")]
    public string? Kind { get; set; }

    [Parameter(ParameterSetName = "ById", Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CallRecordId")]
    public string[]? Id { get; set; }

    [Parameter(ParameterSetName = "List")]
    [Parameter(ParameterSetName = "ById", Mandatory = true)]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord() => WriteObject(Name);
}
