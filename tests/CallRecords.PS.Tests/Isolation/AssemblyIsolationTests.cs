using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using CallRecords.Models;
using CallRecords.PS.Tests.Auth;
using CallRecords.PS.Tests.Engine;
using CallRecords.PS.Tests.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Isolation;

/// <summary>
/// Issue #11 end to end: another module built on older Azure.Identity and MSAL, and another major Kiota.Abstractions
/// (tests/Fixtures/OtherModule, loaded the classic way into the default context) and this module in one PowerShell
/// process, in both orders, each doing real work against the emulator (token requests to its identity face over
/// HTTPS; Connect-CallRecordGraph with a secret and with a certificate; Get-CallRecord). The process is
/// tests/IsolationHost, whose default context holds only the engine, as pwsh's does; this test process cannot be
/// used because it references Azure.Identity itself.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AssemblyIsolationTests : IClassFixture<AuthFixture>, IDisposable
{
    private static readonly string BinFolder = Path.Combine(EngineFixture.RepoRoot, "out", "CallRecords", "bin");
    private readonly AuthFixture _f;
    private readonly ClientCertificateFiles _cert = new("CN=isolation test client");

    public AssemblyIsolationTests(AuthFixture fixture) => _f = fixture;

    public void Dispose() => _cert.Dispose();

    [Fact]
    public void Another_modules_older_identity_stack_loaded_first_then_ours_both_work()
    {
        var result = RunScenario("theirs-first");
        AssertTheirsWorked(result["theirs"]);
        AssertOursWorked(result["ours"]);
        AssertTheirsWorked(result["theirsAgain"]);
        AssertSideBySide(result);
    }

    [Fact]
    public void Ours_loaded_first_then_another_modules_older_identity_stack_both_work()
    {
        var result = RunScenario("ours-first");
        AssertOursWorked(result["ours"]);
        AssertTheirsWorked(result["theirs"]);
        AssertOursWorked(result["oursAgain"]);
        AssertSideBySide(result);
    }

    /// <summary>Issue #23: another module's older SQLite stack (Microsoft.Data.Sqlite 6, SQLitePCLRaw 2.0.6, its own
    /// e_sqlite3 beside its DLLs) loaded first, then the archive (Sync-CallRecord, Open-CallRecordArchive) and theirs
    /// again: each writes and reads its file with its own assemblies and its own native library.</summary>
    [Fact]
    public void Another_modules_SQLite_loaded_first_then_the_archive_both_work()
    {
        var result = RunScenario("sqlite-theirs-first");
        AssertTheirSqliteWorked(result["theirSqlite"]);
        AssertOurSqliteWorked(result["ourSqlite"]);
        AssertTheirSqliteWorked(result["theirSqliteAgain"]);
        AssertSqliteSideBySide(result);
    }

    [Fact]
    public void The_archive_loaded_first_then_another_modules_SQLite_both_work()
    {
        var result = RunScenario("sqlite-ours-first");
        AssertOurSqliteWorked(result["ourSqlite"]);
        AssertTheirSqliteWorked(result["theirSqlite"]);
        AssertOurSqliteWorked(result["ourSqliteAgain"]);
        AssertSqliteSideBySide(result);
    }

    private static void AssertTheirSqliteWorked(JsonNode? report)
    {
        Assert.NotNull(report);
        Assert.Equal("written by the other module", (string)report!["Value"]!);
        Assert.True(Version.Parse((string)report["SQLitePCLRawVersion"]!) < BinVersion("SQLitePCLRaw.core"));
        Assert.True(Version.Parse((string)report["MicrosoftDataSqliteVersion"]!) < BinVersion("Microsoft.Data.Sqlite"));
    }

    private void AssertOurSqliteWorked(JsonNode? report)
    {
        Assert.NotNull(report);
        var truth = _f.GroundTruth();
        Assert.Equal(truth, report!["ids"]!.AsArray().Select(n => (string)n!).ToList());
        Assert.Equal("ok", (string)report["integrity"]!);
    }

    private static void AssertSqliteSideBySide(JsonObject result)
    {
        var assemblies = Assemblies(result);
        foreach (var name in new[] { "Microsoft.Data.Sqlite", "SQLitePCLRaw.core", "SQLitePCLRaw.provider.e_sqlite3" })
        {
            var loaded = assemblies.Where(a => a.Name == name).ToList();
            Assert.Equal(2, loaded.Count);
            var theirs = Assert.Single(loaded, a => a.Context == "Default");
            Assert.Contains(Path.Combine("out", "fixtures", "OtherModule"), theirs.Location);
            var ours = Assert.Single(loaded, a => a.Context != "Default");
            Assert.Equal(Path.Combine(BinFolder, name + ".dll"), ours.Location);
            Assert.NotEqual(theirs.Version, ours.Version);
        }
        // Each stack mapped its own native library: theirs beside their DLLs, ours from bin/runtimes/<rid>/native.
        if (OperatingSystem.IsLinux())
        {
            var natives = result["nativeSqlite"]!.AsArray().Select(n => (string)n!).ToList();
            Assert.Equal(2, natives.Count);
            Assert.Contains(natives, n => n.Contains(Path.Combine("out", "fixtures", "OtherModule"), StringComparison.Ordinal));
            Assert.Contains(natives, n => n.StartsWith(Path.Combine(BinFolder, "runtimes"), StringComparison.Ordinal));
        }
    }

    /// <summary>Windows PowerShell 5.1's scheme (the bin-limited AssemblyResolve handler, no load context), forced on
    /// PowerShell 7: the Graph SDK half and the root's own base-library needs all come from bin/.</summary>
    [Fact]
    public void AssemblyResolve_scheme_loads_everything_from_the_bin_folder()
    {
        var result = RunScenario("ours-only", ("CALLRECORDS_ASSEMBLY_LOADING", "AssemblyResolve"));
        AssertOursWorked(result["ours"]);
        var assemblies = Assemblies(result);
        foreach (var name in new[] { "CallRecords.Sdk", "Azure.Core", "Microsoft.Identity.Client", "Microsoft.Kiota.Abstractions", "Microsoft.Graph" })
        {
            var a = Assert.Single(assemblies, x => x.Name == name);
            Assert.Equal("Default", a.Context);
            Assert.Equal(Path.Combine(BinFolder, name + ".dll"), a.Location);
        }
    }

    /// <summary>The root assembly references the engine and the runtime's own assemblies (in versions every
    /// PowerShell 7 has); never the Graph SDK, Kiota, Azure, MSAL or Microsoft.Bcl.AsyncInterfaces. Everything it
    /// needs beyond the engine is in bin/ for Windows PowerShell.</summary>
    [Fact]
    public void Root_assembly_references_only_the_engine_and_the_runtime()
    {
        var root = typeof(CallRecord).Assembly;
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var reference in root.GetReferencedAssemblies())
        {
            var name = reference.Name!;
            Assert.DoesNotMatch("^(Microsoft\\.Graph|Microsoft\\.Kiota|Azure\\.|Microsoft\\.Identity|Microsoft\\.IdentityModel|Std\\.UriTemplate|Microsoft\\.Extensions)", name);
            if (name is "System.Management.Automation" or "netstandard") continue;
            // Not even Microsoft.Bcl.AsyncInterfaces: PowerShell 7 ships an old one in $PSHOME and other modules
            // load others; the async-stream types are the root's own (src/CallRecords.PS/Polyfills).
            Assert.NotEqual("Microsoft.Bcl.AsyncInterfaces", name);
            var inRuntime = Path.Combine(runtime, name + ".dll");
            Assert.True(File.Exists(inRuntime), $"{name} is not part of the .NET runtime");
            Assert.True(AssemblyName.GetAssemblyName(inRuntime).Version >= reference.Version, $"{name} {reference.Version} is newer than the runtime's");
            // What Windows PowerShell 5.1 (.NET Framework 4.8) lacks, bin/desktop has: DesktopMetadataGateTests.
        }
        var moduleDlls = Directory.GetFiles(Path.Combine(EngineFixture.RepoRoot, "out", "CallRecords"), "*.dll").Select(Path.GetFileName);
        Assert.Equal(["CallRecords.dll"], moduleDlls);
    }

    /// <summary>Windows PowerShell 5.1 finds cmdlets through the exported types only: none of them may need a
    /// PowerShell 7 type (the load context stays internal).</summary>
    [Fact]
    public void No_exported_type_depends_on_AssemblyLoadContext()
    {
        var root = typeof(CallRecord).Assembly;
        foreach (var type in root.GetExportedTypes())
            for (var t = type.BaseType; t is not null; t = t.BaseType)
                Assert.NotEqual("System.Runtime.Loader.AssemblyLoadContext", t.FullName);
        var context = root.GetType("CallRecords.Loading.ModuleLoadContext", throwOnError: true)!;
        Assert.False(context.IsPublic);
    }

    /// <summary>In this test process too, the imported module loads its Graph SDK half from its own bin/ into its own
    /// context (not the copies this process references), and -Debug says so.</summary>
    [Fact]
    public void Connect_debug_tells_where_the_Graph_SDK_was_loaded_from()
    {
        var (app, secret) = _f.RegisterApp();
        var run = _f.Run($"$c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {_f.Endpoints} -NoDefault -PassThru -Debug",
            _f.Vars(("tenant", _f.DefaultTenant), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Empty(run.Errors);
        Assert.Contains(run.Debug, d => d == $"Graph SDK: CallRecords.Sdk 0.1.0.0 from {BinFolder} in the module's own load context (CallRecords {BinFolder}).");
    }

    private void AssertTheirsWorked(JsonNode? report)
    {
        Assert.NotNull(report);
        // Their versions really are other (older) versions than ours.
        Assert.True(Version.Parse((string)report!["AzureIdentityVersion"]!) < BinVersion("Azure.Identity"));
        Assert.True(Version.Parse((string)report["MsalVersion"]!) < BinVersion("Microsoft.Identity.Client"));
        // The mirror has no Kiota.Abstractions older than ours; theirs is the next major version, a harder case.
        Assert.NotEqual(BinVersion("Microsoft.Kiota.Abstractions").Major, Version.Parse((string)report["KiotaVersion"]!).Major);
        Assert.True(int.Parse((string)report["AzureIdentityTokenLength"]!) > 100);
        Assert.True(int.Parse((string)report["MsalTokenLength"]!) > 100);
        Assert.Equal(_f.Host.BaseAddress.AbsoluteUri.TrimEnd('/') + "/v1.0/communications/callRecords/abc", (string)report["KiotaUrl"]!);
    }

    private void AssertOursWorked(JsonNode? report)
    {
        Assert.NotNull(report);
        var truth = _f.GroundTruth();
        var ids = report!["ids"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Equal(truth.Concat(truth), ids); // secret connection, then certificate connection
        var type = Assert.Single(report["outputTypes"]!.AsArray());
        Assert.Equal("CallRecords.Models.CallRecord", (string)type!["type"]!);
        Assert.Equal("Default", (string)type["context"]!); // output types never come from the private context
    }

    /// <summary>Both versions of each contested assembly are loaded: theirs in the default context from their folder,
    /// ours in the module's own context from bin/.</summary>
    private static void AssertSideBySide(JsonObject result)
    {
        var assemblies = Assemblies(result);
        foreach (var name in new[] { "Microsoft.Identity.Client", "Microsoft.Kiota.Abstractions", "Azure.Core" })
        {
            var loaded = assemblies.Where(a => a.Name == name).ToList();
            Assert.Equal(2, loaded.Count);
            var theirs = Assert.Single(loaded, a => a.Context == "Default");
            Assert.Contains(Path.Combine("out", "fixtures", "OtherModule"), theirs.Location);
            var ours = Assert.Single(loaded, a => a.Context != "Default");
            Assert.Equal(Path.Combine(BinFolder, name + ".dll"), ours.Location);
            Assert.StartsWith("CallRecords ", ours.Context);
            Assert.NotEqual(theirs.Version, ours.Version);
        }
        // Azure.Identity 1.21 only forwards its credential types to Azure.Core 1.53; theirs (1.11) still defines them.
        // Either way each stack's ClientSecretCredential is its own type, in its own context.
        var credentials = result["credentialTypes"]!.AsArray().Select(c => (Assembly: (string)c!["assembly"]!, Context: (string)c["context"]!, Location: (string)c["location"]!)).ToList();
        Assert.Equal(2, credentials.Count);
        var theirCredential = Assert.Single(credentials, c => c.Context == "Default");
        Assert.Equal("Azure.Identity", theirCredential.Assembly);
        Assert.Contains(Path.Combine("out", "fixtures", "OtherModule"), theirCredential.Location);
        var ourCredential = Assert.Single(credentials, c => c.Context != "Default");
        Assert.Equal(Path.Combine(BinFolder, ourCredential.Assembly + ".dll"), ourCredential.Location);
        var root = Assert.Single(assemblies, a => a.Name == "CallRecords");
        Assert.Equal("Default", root.Context);
        var sdk = Assert.Single(assemblies, a => a.Name == "CallRecords.Sdk");
        Assert.StartsWith("CallRecords ", sdk.Context);
        Assert.Single(assemblies, a => a.Name == "Microsoft.Graph");
    }

    private static Version BinVersion(string name) => AssemblyName.GetAssemblyName(Path.Combine(BinFolder, name + ".dll")).Version!;

    private sealed record Loaded(string Name, string Version, string Context, string Location);

    private static List<Loaded> Assemblies(JsonObject result) =>
        result["assemblies"]!.AsArray().Select(a => new Loaded((string)a!["name"]!, (string?)a["version"] ?? "", (string)a["context"]!, (string)a["location"]!)).ToList();

    private JsonObject RunScenario(string order, params (string Name, string Value)[] environment)
    {
        var (secretApp, secret) = _f.RegisterApp();
        var (certApp, _) = _f.RegisterApp(certificate: _cert.PublicOnly);
        var dir = Directory.CreateTempSubdirectory("isolation-").FullName;
        try
        {
            var scenario = new JsonObject
            {
                ["order"] = order,
                ["module"] = EngineFixture.ModuleManifest,
                ["fixture"] = Path.Combine(EngineFixture.RepoRoot, "out", "fixtures", "OtherModule", "OtherModule.dll"),
                ["graph"] = _f.Host.BaseAddress.AbsoluteUri,
                ["authority"] = _f.Identity.AuthorityHost.AbsoluteUri,
                ["tenant"] = _f.DefaultTenant,
                ["secretClientId"] = secretApp.ClientId,
                ["secret"] = secret,
                ["certClientId"] = certApp.ClientId,
                ["pfxPath"] = _cert.PfxPath,
            };
            var scenarioFile = Path.Combine(dir, "scenario.json");
            var resultFile = Path.Combine(dir, "result.json");
            File.WriteAllText(scenarioFile, scenario.ToJsonString());
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(HostPath());
            start.ArgumentList.Add(scenarioFile);
            start.ArgumentList.Add(resultFile);
            // The emulator's test CA, trusted the same way as in this process (see Identity/IdentityTestServer.cs).
            start.Environment["SSL_CERT_FILE"] = IdentityTestServer.TrustFile;
            foreach (var (name, value) in environment) start.Environment[name] = value;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the isolation host did not finish");
            Assert.True(process.ExitCode == 0 && File.Exists(resultFile), $"isolation host exit {process.ExitCode}: {stdout.Result} {stderr.Result}");
            var result = JsonNode.Parse(File.ReadAllText(resultFile))!.AsObject();
            var errors = result["steps"]!.AsArray().SelectMany(s => s!["errors"]!.AsArray().Select(e => s["name"] + ": " + e)).ToList();
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
            return result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>tests/IsolationHost's build output in this test build's configuration (the solution builds it).</summary>
    private static string HostPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0/
        var path = Path.Combine(EngineFixture.RepoRoot, "tests", "IsolationHost", "bin", configuration, "net10.0", "IsolationHost.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (dotnet build / dotnet test at the repository root).");
        Assert.True(File.Exists(Path.Combine(EngineFixture.RepoRoot, "out", "fixtures", "OtherModule", "OtherModule.dll")),
            "out/fixtures/OtherModule is missing: build the solution.");
        return path;
    }
}
