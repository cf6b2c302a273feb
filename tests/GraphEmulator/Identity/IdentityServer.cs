using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace GraphEmulator.Identity;

/// <summary>The emulator's identity face: an Entra-compatible token service (HTTPS, app-only client credentials with a
/// secret, a certificate-signed assertion or a federated token), the OpenID/instance discovery documents MSAL reads, and
/// an App Service-style managed identity endpoint (plain HTTP on loopback, like App Service's own).</summary>
public sealed partial class IdentityServer : IAsyncDisposable
{
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly TimeSpan s_clockSkew = TimeSpan.FromMinutes(5);

    private readonly WebApplication _app;
    private readonly ITokenIssuer _issuer;
    private readonly IdentityServerOptions _options;
    private readonly ConcurrentDictionary<string, RegisteredApp> _apps = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ManagedIdentity> _userAssigned = new(StringComparer.OrdinalIgnoreCase);
    private volatile ManagedIdentity? _systemAssigned;
    private readonly RSA _federatedKey = RSA.Create(2048);
    private readonly string _federatedKeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(10));
    private readonly List<TokenRequestLogEntry> _tokenRequests = [];
    private readonly List<string> _requests = [];
    private readonly Lock _logLock = new();
    private long _tokenLifetimeTicks;
    private int _tokenRequestCount;

    private sealed record ManagedIdentity(string TenantId, string ClientId, bool SystemAssigned, IReadOnlyCollection<string> Roles);

    private IdentityServer(WebApplication app, ITokenIssuer issuer, IdentityServerOptions options, string caPath)
    {
        _app = app;
        _issuer = issuer;
        _options = options;
        CaCertificatePath = caPath;
        TokenLifetime = options.TokenLifetime;
        ManagedIdentityHeader = options.ManagedIdentityHeader ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>Azure.Identity's AuthorityHost: https://127.0.0.1:port/</summary>
    public Uri AuthorityHost { get; private set; } = null!;

    /// <summary>PEM file of the test CA that issued the server's TLS certificate (SANs 127.0.0.1, ::1, localhost).</summary>
    public string CaCertificatePath { get; }

    /// <summary>IDENTITY_ENDPOINT for App Service-style managed identity: http://127.0.0.1:port/msi/token</summary>
    public Uri ManagedIdentityEndpoint { get; private set; } = null!;

    /// <summary>IDENTITY_HEADER: the secret the managed identity endpoint expects in X-IDENTITY-HEADER.</summary>
    public string ManagedIdentityHeader { get; }

    public string FederatedIssuer => _options.FederatedIssuer;

    /// <summary>Lifetime of tokens issued from now on; changeable while running.</summary>
    public TimeSpan TokenLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _tokenLifetimeTicks));
        set => Interlocked.Exchange(ref _tokenLifetimeTicks, value.Ticks);
    }

    /// <summary>
    /// A token service that accepts connections and never answers: token requests (token endpoint and managed identity
    /// endpoint) are counted, then held until the client gives up (PUT /_emulator/stall {"stall":true}). What a
    /// client's -Timeout and -MaxRetry must bound; discovery and the control routes keep answering.
    /// </summary>
    public bool StallTokenRequests
    {
        get => Volatile.Read(ref _stall) != 0;
        set => Volatile.Write(ref _stall, value ? 1 : 0);
    }
    private int _stall;

    /// <summary>Requests to a token-issuing endpoint (token endpoint and managed identity endpoint), whatever their outcome.</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequestCount);

    public IReadOnlyList<TokenRequestLogEntry> TokenRequests
    {
        get { lock (_logLock) return _tokenRequests.ToArray(); }
    }

    /// <summary>Every request as "METHOD /path?query" (bodies, which carry secrets, are never recorded).</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_logLock) return _requests.ToArray(); }
    }

    public static async Task<IdentityServer> StartAsync(IdentityServerOptions options, ITokenIssuer issuer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(issuer);
        var ca = options.CertificateAuthority ?? TestCertificateAuthority.ForProcess;
        var caPath = Path.GetFullPath(options.CaOutPath ??
            Path.Combine(Path.GetTempPath(), "graphemulator-identity", $"ca-{Environment.ProcessId}.pem"));
        ca.WritePem(caPath);
        var serverCertificate = ca.IssueServerCertificate();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.HttpsPort, l => l.UseHttps(serverCertificate));
            k.Listen(IPAddress.Loopback, options.ManagedIdentityPort);
        });
        var app = builder.Build();
        var server = new IdentityServer(app, issuer, options, caPath);
        server.MapRoutes();
        await app.StartAsync(ct).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var https = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)));
        var http = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)));
        server.AuthorityHost = new Uri($"https://127.0.0.1:{https.Port}/");
        server.ManagedIdentityEndpoint = new Uri($"http://127.0.0.1:{http.Port}/msi/token");
        return server;
    }

    public void RegisterApp(RegisteredApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrEmpty(app.TenantId);
        ArgumentException.ThrowIfNullOrEmpty(app.ClientId);
        _apps[AppKey(app.TenantId, app.ClientId)] = app;
    }

    /// <summary>Deletes an app registration (DELETE /_emulator/apps/{clientId}): its credential stops working, so a client's
    /// next token renewal fails as Entra answers for an unknown app (AADSTS700016). True when it existed.</summary>
    public bool RemoveApp(string clientId)
    {
        var removed = false;
        foreach (var key in _apps.Where(a => string.Equals(a.Value.ClientId, clientId, StringComparison.OrdinalIgnoreCase)).Select(a => a.Key).ToList())
            removed |= _apps.TryRemove(key, out _);
        return removed;
    }

    /// <summary>Registers the system-assigned identity (clientId null; it gets a fresh client id) or a user-assigned one.
    /// Returns the identity's client id, which is the appid of the tokens it gets.</summary>
    public string RegisterManagedIdentity(string tenantId, string? clientId, IReadOnlyCollection<string> roles)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentNullException.ThrowIfNull(roles);
        if (clientId is null)
        {
            var system = new ManagedIdentity(tenantId, Guid.NewGuid().ToString(), true, roles);
            _systemAssigned = system;
            return system.ClientId;
        }
        _userAssigned[clientId] = new ManagedIdentity(tenantId, clientId, false, roles);
        return clientId;
    }

    /// <summary>Mints an external OIDC token (as GitHub Actions or a Kubernetes service account would) signed by the
    /// federated issuer's key this server holds. Apps trust it through a <see cref="FederatedIdentityCredential"/>.</summary>
    public string MintFederatedToken(string subject, string audience = FederatedIdentityCredential.DefaultAudience, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = _federatedKeyId };
        var payload = new JsonObject
        {
            ["iss"] = _options.FederatedIssuer,
            ["sub"] = subject,
            ["aud"] = audience,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromMinutes(10)).TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        return Jwt.Sign(header, payload, _federatedKey);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _federatedKey.Dispose();
    }

    private static string AppKey(string tenant, string clientId) => tenant + "|" + clientId;

    private bool TenantExists(string tenant) =>
        _apps.Values.Any(a => string.Equals(a.TenantId, tenant, StringComparison.OrdinalIgnoreCase)) ||
        _userAssigned.Values.Any(m => string.Equals(m.TenantId, tenant, StringComparison.OrdinalIgnoreCase)) ||
        string.Equals(_systemAssigned?.TenantId, tenant, StringComparison.OrdinalIgnoreCase);

    private void Record(TokenRequestLogEntry entry)
    {
        lock (_logLock) _tokenRequests.Add(entry);
    }

    private static string Base(HttpContext ctx) => $"{ctx.Request.Scheme}://{ctx.Request.Host}/";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    private static IResult Json(JsonNode body, int status = 200) =>
        Results.Text(body.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8, status);

    private static IResult Error(EntraError error, HttpContext ctx) =>
        Json(error.ToJson(Base(ctx), ctx.Request.Headers["client-request-id"].FirstOrDefault()), error.StatusCode);

    private static string Seconds(TimeSpan t) =>
        Math.Max(1L, (long)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
