using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.Loader;
using System.Security;
using System.Text.Json;
using System.Text.Json.Nodes;

// Runs one load-order scenario of issue #11 and writes what happened as JSON to the result file:
//   IsolationHost <scenario.json> <result.json>
// scenario: { order: "theirs-first" | "ours-first" | "ours-only", module, fixture, graph, authority, tenant,
//             secretClientId, secret, certClientId, pfxPath }
var scenario = JsonNode.Parse(File.ReadAllText(args[0]))!.AsObject();
string S(string name) => scenario[name]!.GetValue<string>();
var result = new JsonObject();

var steps = new JsonArray();
result["steps"] = steps;

using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());

Collection<PSObject> Run(string name, string script, Dictionary<string, object?> vars)
{
    ps.Commands.Clear();
    ps.Streams.ClearStreams();
    foreach (var (k, v) in vars) ps.Runspace.SessionStateProxy.SetVariable(k, v);
    var step = new JsonObject { ["name"] = name };
    steps.Add(step);
    try
    {
        var output = ps.AddScript(script).Invoke();
        step["errors"] = new JsonArray(ps.Streams.Error.Select(e => (JsonNode)JsonValue.Create(e.ToString() + " | " + e.Exception?.GetType().FullName)!).ToArray());
        return output;
    }
    catch (Exception e)
    {
        step["errors"] = new JsonArray(JsonValue.Create(e.GetType().FullName + ": " + e.Message));
        return new Collection<PSObject>();
    }
}

SecureString Secure(string text)
{
    var s = new SecureString();
    foreach (var c in text) s.AppendChar(c);
    s.MakeReadOnly();
    return s;
}

var common = new Dictionary<string, object?>
{
    ["graph"] = new Uri(S("graph")), ["authority"] = new Uri(S("authority")), ["tenant"] = S("tenant"),
};

void Theirs(string name)
{
    var vars = new Dictionary<string, object?>(common) { ["fixture"] = S("fixture"), ["client"] = S("secretClientId"), ["secret"] = S("secret") };
    var output = Run(name, """
        Import-Module $fixture -ErrorAction Stop
        Get-OtherModuleToken -AuthorityHost $authority -TenantId $tenant -ClientId $client -ClientSecret $secret -GraphEndpoint $graph
        """, vars);
    if (output.Count == 1)
    {
        var o = output[0];
        var report = new JsonObject();
        foreach (var p in o.Properties) report[p.Name] = JsonValue.Create(p.Value?.ToString());
        result[name] = report;
    }
}

void Ours(string name)
{
    var vars = new Dictionary<string, object?>(common)
    {
        ["module"] = S("module"), ["secretClient"] = S("secretClientId"), ["secret"] = Secure(S("secret")),
        ["certClient"] = S("certClientId"), ["pfx"] = S("pfxPath"),
    };
    var output = Run(name, """
        Import-Module $module -ErrorAction Stop
        $bySecret = Connect-CallRecordGraph -TenantId $tenant -ClientId $secretClient -ClientSecret $secret -GraphEndpoint $graph -AuthorityHost $authority -NoDefault -PassThru -ErrorAction Stop
        $byCert = Connect-CallRecordGraph -TenantId $tenant -ClientId $certClient -CertificatePath $pfx -GraphEndpoint $graph -AuthorityHost $authority -NoDefault -PassThru -ErrorAction Stop
        Get-CallRecord -Connection $bySecret -PageSize 50
        Get-CallRecord -Connection $byCert -PageSize 50
        """, vars);
    var records = output.Select(o => o.BaseObject).Where(o => o.GetType().FullName == "CallRecords.Models.CallRecord").ToList();
    var report = new JsonObject
    {
        ["ids"] = new JsonArray(records.Select(r => (JsonNode)JsonValue.Create((string)r.GetType().GetProperty("Id")!.GetValue(r)!)!).ToArray()),
        ["outputTypes"] = new JsonArray(records.Select(r => r.GetType()).Distinct().Select(t => (JsonNode)new JsonObject
        {
            ["type"] = t.FullName, ["context"] = ContextName(t.Assembly), ["location"] = t.Assembly.Location,
        }).ToArray()),
    };
    result[name] = report;
}

// Issue #23: another module's SQLite (older Microsoft.Data.Sqlite, SQLitePCLRaw and e_sqlite3, default context) and
// the archive's (ours, in the module's context, its native from bin/runtimes) in one process, each writing a file.
var work = Directory.CreateTempSubdirectory("isolation-sqlite-").FullName;

void TheirSqlite(string name)
{
    var output = Run(name, """
        Import-Module $fixture -ErrorAction Stop
        Invoke-OtherModuleSqlite -Path $path
        """, new Dictionary<string, object?> { ["fixture"] = S("fixture"), ["path"] = Path.Combine(work, name + ".db") });
    if (output.Count == 1)
    {
        var report = new JsonObject();
        foreach (var p in output[0].Properties) report[p.Name] = JsonValue.Create(p.Value?.ToString());
        result[name] = report;
    }
}

void OurSqlite(string name)
{
    var vars = new Dictionary<string, object?>(common)
    {
        ["module"] = S("module"), ["secretClient"] = S("secretClientId"), ["secret"] = Secure(S("secret")),
        ["db"] = Path.Combine(work, name + ".db"),
    };
    var output = Run(name, """
        Import-Module $module -ErrorAction Stop
        $graphConnection = Connect-CallRecordGraph -TenantId $tenant -ClientId $secretClient -ClientSecret $secret -GraphEndpoint $graph -AuthorityHost $authority -NoDefault -PassThru -ErrorAction Stop
        $sync = Sync-CallRecord -Path $db -Connection $graphConnection -ErrorAction Stop
        $archive = Open-CallRecordArchive -Path $db -NoDefault -ErrorAction Stop
        $info = Get-CallRecordArchive -Path $db -ErrorAction Stop
        [pscustomobject]@{ Added = $sync.Added; SqliteVersion = $info.SqliteVersion; Integrity = $info.IntegrityCheck; Ids = @((Get-CallRecord -Connection $archive).Id) }
        """, vars);
    if (output.Count == 1)
    {
        var o = output[0];
        result[name] = new JsonObject
        {
            ["added"] = JsonValue.Create(o.Properties["Added"].Value?.ToString()),
            ["sqliteVersion"] = JsonValue.Create(o.Properties["SqliteVersion"].Value?.ToString()),
            ["integrity"] = JsonValue.Create(o.Properties["Integrity"].Value?.ToString()),
            ["ids"] = new JsonArray(((System.Collections.IEnumerable)(o.Properties["Ids"].Value is PSObject w ? w.BaseObject : o.Properties["Ids"].Value)).Cast<object>()
                .Select(i => (JsonNode)JsonValue.Create(i.ToString())!).ToArray()),
        };
    }
}

switch (S("order"))
{
    case "sqlite-theirs-first":
        TheirSqlite("theirSqlite");
        OurSqlite("ourSqlite");
        TheirSqlite("theirSqliteAgain");
        break;
    case "sqlite-ours-first":
        OurSqlite("ourSqlite");
        TheirSqlite("theirSqlite");
        OurSqlite("ourSqliteAgain");
        break;
    case "theirs-first":
        Theirs("theirs");
        Ours("ours");
        Theirs("theirsAgain");
        break;
    case "ours-first":
        Ours("ours");
        Theirs("theirs");
        Ours("oursAgain");
        break;
    case "ours-only":
        Ours("ours");
        break;
}

string ContextName(Assembly a)
{
    var context = AssemblyLoadContext.GetLoadContext(a);
    return context == AssemblyLoadContext.Default ? "Default" : context?.ToString() ?? "(none)";
}

string[] watched = ["CallRecords", "CallRecords.Sdk", "OtherModule", "Azure.Identity", "Azure.Core", "Microsoft.Identity.Client",
    "Microsoft.Kiota.Abstractions", "Microsoft.Graph", "Microsoft.Graph.Core", "Microsoft.Bcl.AsyncInterfaces", "System.Text.Json",
    "Microsoft.Data.Sqlite", "SQLitePCLRaw.core", "SQLitePCLRaw.provider.e_sqlite3", "SQLitePCLRaw.batteries_v2"];
result["assemblies"] = new JsonArray(AssemblyLoadContext.All.SelectMany(c => c.Assemblies)
    .Where(a => watched.Contains(a.GetName().Name))
    .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
    .Select(a => (JsonNode)new JsonObject
    {
        ["name"] = a.GetName().Name, ["version"] = a.GetName().Version?.ToString(), ["context"] = ContextName(a), ["location"] = a.Location,
    }).ToArray());
// Azure.Identity 1.21 is a facade: its credential types live in Azure.Core 1.53. Report where the credential type
// each stack uses is defined, and in which context.
result["credentialTypes"] = new JsonArray(AssemblyLoadContext.All.SelectMany(c => c.Assemblies)
    .Where(a => a.GetName().Name is "Azure.Identity" or "Azure.Core")
    .Select(a => (a, type: a.GetType("Azure.Identity.ClientSecretCredential", throwOnError: false)))
    .Where(x => x.type is not null && x.type.Assembly == x.a)
    .Select(x => (JsonNode)new JsonObject
    {
        ["assembly"] = x.a.GetName().Name, ["version"] = x.a.GetName().Version?.ToString(), ["context"] = ContextName(x.a), ["location"] = x.a.Location,
    }).ToArray());
// Which e_sqlite3 files the process mapped (Linux): one per SQLite stack when they are apart.
if (File.Exists("/proc/self/maps"))
    result["nativeSqlite"] = new JsonArray(File.ReadAllLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
        .Where(p => p.EndsWith("libe_sqlite3.so", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).Select(p => (JsonNode)JsonValue.Create(p)!).ToArray());
File.WriteAllText(args[1], result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
return 0;
