using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

/// <summary>The authority is trusted through ordinary certificate validation: the test CA is in SSL_CERT_FILE for
/// this process, nothing switches validation off, and a server from a CA outside that file is refused.</summary>
public class TlsTrustTests(IdentityServerFixture fx) : IClassFixture<IdentityServerFixture>
{
    [Fact]
    public async Task Trust_file_holds_the_process_CA_that_issued_the_server_certificate()
    {
        Assert.Equal(IdentityTestServer.TrustFile, fx.Server.CaCertificatePath);
        var pem = await File.ReadAllTextAsync(fx.Server.CaCertificatePath);
        using var ca = X509Certificate2.CreateFromPem(pem);
        Assert.Equal(TestCertificateAuthority.ForProcess.Certificate.Thumbprint, ca.Thumbprint);
        Assert.Equal("https", fx.Server.AuthorityHost.Scheme);
        Assert.Equal("127.0.0.1", fx.Server.AuthorityHost.Host);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Default_validation_accepts_the_server_and_chains_to_the_test_CA(string host)
    {
        SslPolicyErrors? seen = null;
        string? root = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Observes the platform's verdict and returns it unchanged (not a bypass): no errors must be reported.
                RemoteCertificateValidationCallback = (_, _, chain, errors) =>
                {
                    seen = errors;
                    root = chain?.ChainElements[^1].Certificate.Thumbprint;
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        using var http = new HttpClient(handler);
        var uri = new UriBuilder(fx.Server.AuthorityHost) { Host = host, Path = "organizations/v2.0/.well-known/openid-configuration" }.Uri;
        using var response = await http.GetAsync(uri);

        response.EnsureSuccessStatusCode();
        Assert.Equal(SslPolicyErrors.None, seen);
        Assert.Equal(TestCertificateAuthority.ForProcess.Certificate.Thumbprint, root);
    }

    [Fact]
    public async Task Server_from_an_untrusted_CA_is_refused_by_HttpClient_and_Azure_Identity()
    {
        using var foreignCa = TestCertificateAuthority.Create("Untrusted CA");
        var caFile = Path.Combine(Path.GetTempPath(), $"untrusted-ca-{Guid.NewGuid():N}.pem");
        using var issuer = new JwtTokenIssuer();
        await using var untrusted = await IdentityServer.StartAsync(
            new IdentityServerOptions { CertificateAuthority = foreignCa, CaOutPath = caFile }, issuer);
        try
        {
            var app = new RegisteredApp("t-untrusted", "c-untrusted", "s", null, [IdentityTestServer.CallRecordsRole]);
            untrusted.RegisterApp(app);

            using var http = new HttpClient();
            var e = await Assert.ThrowsAsync<HttpRequestException>(() =>
                http.GetAsync(new Uri(untrusted.AuthorityHost, "t-untrusted/v2.0/.well-known/openid-configuration")));
            Assert.IsType<AuthenticationException>(e.InnerException);

            var credential = new ClientSecretCredential(app.TenantId, app.ClientId, "s",
                new ClientSecretCredentialOptions
                {
                    AuthorityHost = untrusted.AuthorityHost,
                    DisableInstanceDiscovery = true,
                    Retry = { MaxRetries = 0 },
                });
            await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
                credential.GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default).AsTask());
            Assert.Equal(0, untrusted.TokenRequestCount);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task Token_endpoint_is_not_served_over_plain_http()
    {
        var app = fx.RegisterApp(secret: "s");
        using var http = new HttpClient();
        var plain = new Uri($"http://127.0.0.1:{fx.Server.ManagedIdentityEndpoint.Port}/{app.TenantId}/oauth2/v2.0/token");
        using var response = await http.PostAsync(plain, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = app.ClientId, ["client_secret"] = "s",
            ["scope"] = IdentityTestServer.GraphScope,
        }));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(fx.RequestsOf(app));
    }
}
