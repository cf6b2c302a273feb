using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Identity;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

public sealed class ClientCertificateCredentialTests(IdentityServerFixture fx) : IClassFixture<IdentityServerFixture>, IDisposable
{
    private readonly ClientCertificateFiles _cert = new();
    private readonly ClientCertificateFiles _other = new("CN=some other certificate");

    public void Dispose()
    {
        _cert.Dispose();
        _other.Dispose();
    }

    private ClientCertificateCredentialOptions Options(bool sendChain = false) =>
        new() { AuthorityHost = fx.Server.AuthorityHost, DisableInstanceDiscovery = true, SendCertificateChain = sendChain };

    private static TokenRequestContext Graph => new([IdentityTestServer.GraphScope]);

    [Fact]
    public async Task Pfx_file_gets_a_token()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        var token = await new ClientCertificateCredential(app.TenantId, app.ClientId, _cert.PfxPath, Options()).GetTokenAsync(Graph, default);
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
        Assert.Equal(("certificate", 200), (Assert.Single(fx.RequestsOf(app)).CredentialKind, fx.RequestsOf(app)[0].StatusCode));
    }

    [Fact]
    public async Task Pem_file_gets_a_token()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        var token = await new ClientCertificateCredential(app.TenantId, app.ClientId, _cert.PemPath, Options()).GetTokenAsync(Graph, default);
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
    }

    [Fact]
    public async Task Certificate_object_with_chain_gets_a_token()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        var token = await new ClientCertificateCredential(app.TenantId, app.ClientId, _cert.WithPrivateKey, Options(sendChain: true))
            .GetTokenAsync(Graph, default);
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
    }

    [Fact]
    public async Task Unregistered_certificate_fails_with_AADSTS700027()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            new ClientCertificateCredential(app.TenantId, app.ClientId, _other.WithPrivateKey, Options()).GetTokenAsync(Graph, default).AsTask());
        Assert.Contains("AADSTS700027", ExceptionText.Of(e));
        Assert.Contains("not registered on application", ExceptionText.Of(e));
        Assert.Equal((401, "AADSTS700027"), (Assert.Single(fx.RequestsOf(app)).StatusCode, fx.RequestsOf(app)[0].Outcome));
    }

    [Fact]
    public async Task App_with_only_a_secret_rejects_a_certificate()
    {
        var app = fx.RegisterApp(secret: "only-a-secret");
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            new ClientCertificateCredential(app.TenantId, app.ClientId, _cert.PemPath, Options()).GetTokenAsync(Graph, default).AsTask());
        Assert.Contains("AADSTS700027", ExceptionText.Of(e));
    }

    // Hand-made assertions through ClientAssertionCredential prove what the server checks beyond the thumbprint.

    private string Assertion(RegisteredApp app, RSA signer, string? audience = null, TimeSpan? expiresIn = null)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new JsonObject
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["x5t"] = Base64Url.EncodeToString(_cert.PublicOnly.GetCertHash(HashAlgorithmName.SHA1)),
        };
        var payload = new JsonObject
        {
            ["aud"] = audience ?? new Uri(fx.Server.AuthorityHost, $"{app.TenantId}/oauth2/v2.0/token").ToString(),
            ["iss"] = app.ClientId,
            ["sub"] = app.ClientId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(expiresIn ?? TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
        };
        return Jwt.Sign(header, payload, signer);
    }

    private Task<AccessToken> WithAssertion(RegisteredApp app, string assertion) =>
        new ClientAssertionCredential(app.TenantId, app.ClientId, () => assertion,
            new ClientAssertionCredentialOptions { AuthorityHost = fx.Server.AuthorityHost, DisableInstanceDiscovery = true })
            .GetTokenAsync(Graph, default).AsTask();

    [Fact]
    public async Task Hand_made_assertion_signed_by_the_registered_key_is_accepted()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        using var key = _cert.WithPrivateKey.GetRSAPrivateKey()!;
        var token = await WithAssertion(app, Assertion(app, key));
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
    }

    [Fact]
    public async Task Assertion_with_registered_thumbprint_but_foreign_signature_is_rejected()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        using var foreign = RSA.Create(2048);
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() => WithAssertion(app, Assertion(app, foreign)));
        Assert.Contains("AADSTS700027", ExceptionText.Of(e));
        Assert.Contains("invalid signature", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Assertion_for_another_audience_is_rejected()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        using var key = _cert.WithPrivateKey.GetRSAPrivateKey()!;
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            WithAssertion(app, Assertion(app, key, audience: "https://login.microsoftonline.com/other/oauth2/v2.0/token")));
        Assert.Contains("AADSTS700021", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Expired_assertion_is_rejected()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        using var key = _cert.WithPrivateKey.GetRSAPrivateKey()!;
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            WithAssertion(app, Assertion(app, key, expiresIn: TimeSpan.FromMinutes(-30))));
        Assert.Contains("AADSTS700024", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Malformed_assertion_is_rejected()
    {
        var app = fx.RegisterApp(certificate: _cert.PublicOnly);
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() => WithAssertion(app, "not-a-jwt"));
        Assert.Contains("AADSTS50027", ExceptionText.Of(e));
    }
}
