using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

/// <summary>Starts an <see cref="IdentityServer"/> whose test CA lands in the file this test process trusts.
/// The process trusts it the standard way: SSL_CERT_FILE (set for the test host by CallRecords.PS.Tests.runsettings)
/// names a PEM bundle that .NET on Linux loads into its machine root store at the first TLS handshake. The CA is one
/// per process (<see cref="TestCertificateAuthority.ForProcess"/>) and is written there before any handshake.</summary>
public static class IdentityTestServer
{
    public const string GraphScope = "https://graph.microsoft.com/.default";
    public const string CallRecordsRole = "CallRecords.Read.All";

    /// <summary>The trust bundle of this process (absolute path), or a clear failure if the run did not set one.</summary>
    public static string TrustFile
    {
        get
        {
            var file = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
            if (string.IsNullOrEmpty(file))
                throw new InvalidOperationException(
                    "SSL_CERT_FILE is not set for the test host, so the identity emulator's test CA cannot be trusted. " +
                    "Run the tests with tests/CallRecords.PS.Tests/CallRecords.PS.Tests.runsettings (dotnet test does so " +
                    "through the project's RunSettingsFilePath).");
            return Path.GetFullPath(file);
        }
    }

    public static async Task<(IdentityServer Server, JwtTokenIssuer Issuer)> StartAsync(TimeSpan? tokenLifetime = null)
    {
        var issuer = new JwtTokenIssuer();
        var server = await IdentityServer.StartAsync(new IdentityServerOptions
        {
            CaOutPath = TrustFile,
            TokenLifetime = tokenLifetime ?? TimeSpan.FromHours(1),
        }, issuer);
        return (server, issuer);
    }
}

/// <summary>One identity server per test class; tests register their own apps under fresh tenant/client ids so they
/// never see each other's requests.</summary>
public sealed class IdentityServerFixture : IAsyncLifetime
{
    public IdentityServer Server { get; private set; } = null!;
    public JwtTokenIssuer Issuer { get; private set; } = null!;

    public async Task InitializeAsync() => (Server, Issuer) = await IdentityTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Issuer.Dispose();
    }

    public RegisteredApp RegisterApp(string? secret = null, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null,
        IReadOnlyCollection<FederatedIdentityCredential>? federated = null, string? tenantId = null)
    {
        var app = new RegisteredApp(tenantId ?? Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), secret, certificate,
            [IdentityTestServer.CallRecordsRole], federated);
        Server.RegisterApp(app);
        return app;
    }

    public IReadOnlyList<TokenRequestLogEntry> RequestsOf(RegisteredApp app) =>
        Server.TokenRequests.Where(r => r.ClientId == app.ClientId).ToList();
}
