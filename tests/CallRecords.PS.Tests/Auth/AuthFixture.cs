using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text.RegularExpressions;
using CallRecords.PS.Tests.Engine;
using CallRecords.PS.Tests.Identity;
using GraphEmulator;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Auth;

/// <summary>
/// An emulator with its identity face on (tokens minted by the Graph face itself), and runspaces importing the built
/// module. Connect-CallRecordGraph reaches the identity face through real Azure.Identity over HTTPS; the test CA is
/// trusted through SSL_CERT_FILE (see Identity/IdentityTestServer.cs). All data is within Graph's 30-day retention.
/// </summary>
public sealed class AuthFixture : IAsyncLifetime
{
    public const int RecordCount = 120;
    public EmulatorHost Host { get; private set; } = null!;
    public IdentityServer Identity => Host.Identity!;
    private InitialSessionState _state = null!;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        Host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            Seed = 31, Records = RecordCount, Days = 20, Now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero),
            Throttle = false, Identity = true, CaOut = IdentityTestServer.TrustFile,
        });
        _state = InitialSessionState.CreateDefault2();
        _state.ImportPSModule(new[] { EngineFixture.ModuleManifest });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public string DefaultTenant => Host.Options.TenantId;

    /// <summary>Ids the emulator serves to a tenant's tokens, in listing order.</summary>
    public IReadOnlyList<string> GroundTruth(string? tenantId = null) =>
        (tenantId is null ? Host.Data : Host.DataFor(tenantId)).Records.Select(r => r.Id).ToList();

    /// <summary>Registers an app (fresh client id) in the tenant; a fresh random secret unless a certificate is given.</summary>
    public (RegisteredApp App, string Secret) RegisterApp(string? tenantId = null, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null,
        IReadOnlyCollection<string>? roles = null, IReadOnlyCollection<FederatedIdentityCredential>? federated = null)
    {
        var secret = "s3cr3t~" + Guid.NewGuid().ToString("N");
        var app = new RegisteredApp(tenantId ?? DefaultTenant, Guid.NewGuid().ToString(), secret, certificate,
            roles ?? [IdentityTestServer.CallRecordsRole], federated);
        Identity.RegisterApp(app);
        return (app, secret);
    }

    public IReadOnlyList<TokenRequestLogEntry> TokenRequestsOf(string clientId) =>
        Identity.TokenRequests.Where(r => string.Equals(r.ClientId, clientId, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The parameters every Connect-CallRecordGraph of these tests passes: the emulator's Graph and authority.</summary>
    public string Endpoints => "-GraphEndpoint $graph -AuthorityHost $authority";

    public Dictionary<string, object?> Vars(params (string Name, object? Value)[] pairs)
    {
        var vars = pairs.ToDictionary(p => p.Name, p => p.Value);
        vars["graph"] = Host.BaseAddress;
        vars["authority"] = Identity.AuthorityHost;
        return vars;
    }

    /// <summary>Runs a script in a fresh runspace; returns every stream and the $Error list.</summary>
    public FullRun Run(string script, IDictionary<string, object?>? variables = null)
    {
        using var ps = PowerShell.Create(_state);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            ps.Runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        Collection<PSObject> output;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            // A terminating error of the script itself: keep it like the error stream would.
            output = [];
            ps.Streams.Error.Add(e.ErrorRecord);
        }
        var errorVariable = ((ps.Runspace.SessionStateProxy.GetVariable("Error") as IEnumerable) ?? Array.Empty<object>()).Cast<object>().ToList();
        return new FullRun(output, ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(), ps.Streams.Debug.Select(d => d.Message).ToList(),
            ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(), errorVariable);
    }

    public static SecureString Secure(string text) => EngineFixture.Secure(text);
}

public sealed record FullRun(Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose, IReadOnlyList<string> Debug, IReadOnlyList<string> Information, IReadOnlyList<object> ErrorVariable)
{
    private static readonly Regex Jwt = new(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}", RegexOptions.CultureInvariant);

    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    /// <summary>Everything the run let a user or a log see: each stream, each error record in full (message, details,
    /// recommended action, target, the exception chain with stack traces) and $Error, and every output object's properties.</summary>
    public string AllText()
    {
        var parts = new List<string>();
        parts.AddRange(Warnings);
        parts.AddRange(Verbose);
        parts.AddRange(Debug);
        parts.AddRange(Information);
        foreach (var e in Errors.Cast<object>().Concat(ErrorVariable)) parts.Add(Describe(e));
        foreach (var o in Output)
        {
            parts.Add(o.ToString());
            parts.AddRange(o.Properties.Select(p => { try { return p.Value?.ToString() ?? ""; } catch (Exception x) { return x.Message; } }));
        }
        return string.Join("\n", parts);
    }

    public void AssertNoSecretOrToken(params string[] secrets)
    {
        var text = AllText();
        foreach (var secret in secrets) Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var jwt = Jwt.Match(text);
        Assert.False(jwt.Success, jwt.Success ? "a JSON Web Token appears in the run's output: " + jwt.Value[..12] + "…" : "");
    }

    private static string Describe(object o)
    {
        if (o is not ErrorRecord r) return o.ToString() ?? "";
        var parts = new List<string?> { r.ToString(), r.FullyQualifiedErrorId, r.ErrorDetails?.Message, r.ErrorDetails?.RecommendedAction, r.TargetObject?.ToString(), r.CategoryInfo.ToString() };
        for (var e = r.Exception; e is not null; e = e.InnerException) parts.Add(e.ToString());
        return string.Join("\n", parts);
    }
}

[CollectionDefinition(Name)]
public sealed class AuthCollection : ICollectionFixture<AuthFixture>
{
    public const string Name = "app-only authentication";
}
