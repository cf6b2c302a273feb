using System.Security.Cryptography.X509Certificates;

namespace GraphEmulator.Identity;

/// <summary>Mints the access tokens the identity face hands out. The Graph face supplies its own implementation so
/// that it accepts exactly the tokens issued here; <see cref="JwtTokenIssuer"/> is a standalone one.</summary>
public interface ITokenIssuer
{
    string Issue(string tenantId, string appId, IReadOnlyCollection<string> roles, TimeSpan lifetime);

    /// <summary>Issues a token for a specific resource (the scope without "/.default"). Issuers that only serve Graph
    /// can ignore the audience; the default does exactly that.</summary>
    string Issue(string tenantId, string appId, IReadOnlyCollection<string> roles, TimeSpan lifetime, string audience)
        => Issue(tenantId, appId, roles, lifetime);
}

/// <summary>An app registration: client id, its secret and/or public certificate, and the application roles
/// (admin-consented application permissions) its tokens carry.</summary>
public sealed record RegisteredApp(
    string TenantId,
    string ClientId,
    string? Secret,
    X509Certificate2? Certificate,
    IReadOnlyCollection<string> Roles,
    IReadOnlyCollection<FederatedIdentityCredential>? FederatedCredentials = null)
{
    // Never print the secret, e.g. in an assertion message or a log.
    public override string ToString() =>
        $"RegisteredApp {{ TenantId = {TenantId}, ClientId = {ClientId}, Secret = {(Secret is null ? "none" : "***")}, " +
        $"Certificate = {Certificate?.Thumbprint ?? "none"}, Roles = [{string.Join(", ", Roles)}] }}";
}

/// <summary>A federated identity credential on an app: Entra trusts an external token whose iss and sub match exactly
/// and whose aud is one of <see cref="Audiences"/>.</summary>
public sealed record FederatedIdentityCredential(string Issuer, string Subject, IReadOnlyCollection<string> Audiences)
{
    public const string DefaultAudience = "api://AzureADTokenExchange";

    public FederatedIdentityCredential(string issuer, string subject) : this(issuer, subject, [DefaultAudience]) { }
}

public sealed class IdentityServerOptions
{
    /// <summary>HTTPS port of the authority (token service). 0 = any free port.</summary>
    public int HttpsPort { get; set; }

    /// <summary>Plain-HTTP port of the App Service-style managed identity endpoint (App Service serves it over http on
    /// loopback too). 0 = any free port.</summary>
    public int ManagedIdentityPort { get; set; }

    /// <summary>Where to write the PEM of the test CA that issued the TLS certificate. Null = a file in the temp folder.</summary>
    public string? CaOutPath { get; set; }

    /// <summary>The CA that issues the TLS certificate. Null = the process-wide CA (<see cref="TestCertificateAuthority.ForProcess"/>),
    /// so that every server in a test process is trusted through one trust file.</summary>
    public TestCertificateAuthority? CertificateAuthority { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The iss of federated tokens minted by <see cref="IdentityServer.MintFederatedToken"/> (GitHub Actions'
    /// issuer by default, as workload identity federation for CI is the common case).</summary>
    public string FederatedIssuer { get; set; } = "https://token.actions.githubusercontent.com";

    /// <summary>The IDENTITY_HEADER secret. Null = random per server.</summary>
    public string? ManagedIdentityHeader { get; set; }
}

/// <summary>One request to a token-issuing endpoint. Holds no secret, assertion or token.</summary>
public sealed record TokenRequestLogEntry(
    DateTimeOffset Time,
    string Endpoint,
    string GrantType,
    string? TenantId,
    string? ClientId,
    string? Resource,
    string CredentialKind,
    int StatusCode,
    string Outcome)
{
    public bool Succeeded => StatusCode == 200;
}
