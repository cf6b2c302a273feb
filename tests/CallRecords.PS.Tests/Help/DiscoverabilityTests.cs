using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace CallRecords.PS.Tests.Help;

/// <summary>
/// Discoverability gate of issue #10, for every cmdlet the built module exports (new cmdlets are covered without
/// touching this file): an approved verb, a declared OutputType, and a table view for each output type in the format
/// data the module loaded. The hosted engine has no Microsoft.PowerShell.Utility, so Get-Verb and Get-FormatData are
/// not available here: the approved verbs come from the engine's Verbs* classes (which Get-Verb lists), and the views
/// from the format files the imported module reports, checked to load as a FormatTable the way the engine loads them.
/// tests/Acceptance/Discoverability.Tests.ps1 asks Get-Verb and Get-FormatData themselves in real pwsh.
/// </summary>
public class DiscoverabilityTests
{
    private static readonly Type[] VerbClasses =
    [
        typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic),
        typeof(VerbsLifecycle), typeof(VerbsOther), typeof(VerbsSecurity),
    ];

    private static (PSModuleInfo Module, List<CmdletInfo> Cmdlets) Import()
    {
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddCommand("Import-Module").AddParameter("Name", HelpPaths.ModuleManifest).AddParameter("PassThru").AddParameter("ErrorAction", "Stop");
        var module = (PSModuleInfo)ps.Invoke().Single().BaseObject;
        Assert.Empty(ps.Streams.Error);
        var cmdlets = module.ExportedCmdlets.Values.ToList();
        Assert.NotEmpty(cmdlets);
        return (module, cmdlets);
    }

    private static HashSet<string> ApprovedVerbs() =>
        VerbClasses.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void EveryExportedCmdletUsesAnApprovedVerb()
    {
        var approved = ApprovedVerbs();
        Assert.Contains("Get", approved);
        Assert.DoesNotContain("Fetch", approved);
        var (_, cmdlets) = Import();
        var offenders = cmdlets.Where(c => !approved.Contains(c.Verb)).Select(c => $"{c.Name} (verb '{c.Verb}')").ToList();
        Assert.True(offenders.Count == 0, "Unapproved verbs: " + string.Join(", ", offenders));
    }

    [Fact]
    public void EveryExportedCmdletDeclaresItsOutputType()
    {
        var (_, cmdlets) = Import();
        var missing = cmdlets.Where(c => c.OutputType.Count == 0).Select(c => c.Name).ToList();
        Assert.True(missing.Count == 0, "No [OutputType]: " + string.Join(", ", missing));
    }

    /// <summary>The type names a format file's table views are selected by.</summary>
    private static HashSet<string> TableViewTypeNames(IEnumerable<string> formatFiles) => ViewTypeNames(formatFiles, "TableControl");

    /// <summary>The type names a format file's list views are selected by.</summary>
    private static HashSet<string> ListViewTypeNames(IEnumerable<string> formatFiles) => ViewTypeNames(formatFiles, "ListControl");

    private static HashSet<string> ViewTypeNames(IEnumerable<string> formatFiles, string control)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in formatFiles)
        {
            var doc = XDocument.Load(file);
            foreach (var view in doc.Descendants("View").Where(v => v.Element(control) is not null))
            {
                foreach (var type in view.Element("ViewSelectedBy")?.Elements("TypeName") ?? [])
                    names.Add(type.Value.Trim());
            }
        }
        return names;
    }

    [Fact]
    public void EveryOutputTypeHasATableViewInTheLoadedFormatData()
    {
        var (module, cmdlets) = Import();
        var files = module.ExportedFormatFiles.ToList();
        Assert.NotEmpty(files);
        // Throws FormatTableLoadException with the engine's own message when a file does not load.
        _ = new FormatTable(files);
        var views = TableViewTypeNames(files);

        var gaps = new List<string>();
        foreach (var cmdlet in cmdlets)
        {
            foreach (var output in cmdlet.OutputType)
            {
                // [OutputType([void])]: the cmdlet writes nothing, so there is nothing to show.
                if (output.Type == typeof(void)) continue;
                var name = output.Type?.FullName ?? output.Name;
                if (!views.Contains(name)) gaps.Add($"{cmdlet.Name}: output type {name} has no table view");
            }
        }
        Assert.True(gaps.Count == 0, "Format gaps:\n" + string.Join("\n", gaps));
    }

    [Fact]
    public void EveryOutputTypeWithATableViewAlsoHasAListView()
    {
        var (module, cmdlets) = Import();
        var files = module.ExportedFormatFiles.ToList();
        var tables = TableViewTypeNames(files);
        var lists = ListViewTypeNames(files);
        var outputs = cmdlets.SelectMany(c => c.OutputType)
            .Where(o => o.Type != typeof(void))
            .Select(o => o.Type?.FullName ?? o.Name)
            .Where(tables.Contains)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains("CallRecords.Models.CallRecord", outputs);
        var gaps = outputs.Where(n => !lists.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(gaps.Count == 0, "Output types with a table view but no list view:\n" + string.Join("\n", gaps));
    }

    [Fact]
    public void ListViewsNamePropertiesTheirTypeHas()
    {
        // A misspelt PropertyName shows as an empty line in Format-List, which no loader rejects: check each against the CLR type.
        var (module, _) = Import();
        var file = module.ExportedFormatFiles.Single(f => f.EndsWith("CallRecords.format.ps1xml", StringComparison.OrdinalIgnoreCase));
        var assembly = typeof(CallRecords.Models.CallRecord).Assembly;
        var wrong = new List<string>();
        var checkedCount = 0;
        foreach (var view in XDocument.Load(file).Descendants("View").Where(v => v.Element("ListControl") is not null))
        {
            var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim();
            var type = assembly.GetType(typeName);
            Assert.True(type is not null, $"List view for unknown type {typeName}");
            foreach (var property in view.Descendants("PropertyName").Select(p => p.Value.Trim()))
            {
                checkedCount++;
                if (type!.GetProperty(property, BindingFlags.Public | BindingFlags.Instance) is null) wrong.Add($"{typeName}.{property}");
            }
        }
        Assert.True(checkedCount > 0);
        Assert.True(wrong.Count == 0, "List views name missing properties: " + string.Join(", ", wrong));
    }

    [Fact]
    public void TheListViewCheckSeesAMissingListView()
    {
        var (module, _) = Import();
        var file = module.ExportedFormatFiles.Single(f => f.EndsWith("CallRecords.format.ps1xml", StringComparison.OrdinalIgnoreCase));
        var doc = XDocument.Load(file);
        doc.Descendants("View").Where(v => v.Element("ListControl") is not null
            && v.Element("ViewSelectedBy")?.Element("TypeName")?.Value.Trim() == "CallRecords.Models.CallRecordSession").Remove();
        var copy = Path.Combine(Path.GetTempPath(), $"crfmt-{Guid.NewGuid():N}.format.ps1xml");
        doc.Save(copy);
        try
        {
            Assert.DoesNotContain("CallRecords.Models.CallRecordSession", ListViewTypeNames([copy]));
            Assert.Contains("CallRecords.Models.CallRecordSession", TableViewTypeNames([copy]));
            Assert.Contains("CallRecords.Models.CallRecord", ListViewTypeNames([copy]));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void TheViewCheckSeesAMissingView()
    {
        // The gate must be able to fail: a format file without the CallRecord view does not satisfy it.
        var (module, _) = Import();
        var file = module.ExportedFormatFiles.Single(f => f.EndsWith("CallRecords.format.ps1xml", StringComparison.OrdinalIgnoreCase));
        var doc = XDocument.Load(file);
        doc.Descendants("View").Where(v => v.Element("Name")?.Value == "CallRecords.Models.CallRecord").Remove();
        var copy = Path.Combine(Path.GetTempPath(), $"crfmt-{Guid.NewGuid():N}.format.ps1xml");
        doc.Save(copy);
        try
        {
            var views = TableViewTypeNames([copy]);
            Assert.DoesNotContain("CallRecords.Models.CallRecord", views);
            Assert.Contains("CallRecords.Connection.CallRecordConnection", views);
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
