using System.Text.Json.Nodes;
using System.Security.Cryptography;
using Azure.Core;
using Azure.Identity;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

/// <summary>Workload identity federation (GitHub Actions, AKS): the credential presents an external OIDC token as
/// client_assertion; the app trusts it through a federated identity credential (issuer + subject + audience).</summary>
public sealed class FederatedCredentialTests(IdentityServerFixture fx) : IClassFixture<IdentityServerFixture>, IDisposable
{
    private const string Subject = "repo:contoso/callrecords-reports:ref:refs/heads/main";
    private readonly string _dir = Directory.CreateTempSubdirectory("identity-federated-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RegisteredApp App() => fx.RegisterApp(federated: [new FederatedIdentityCredential(fx.Server.FederatedIssuer, Subject)]);

    private string TokenFile(string token)
    {
        var path = Path.Combine(_dir, Guid.NewGuid() + ".jwt");
        File.WriteAllText(path, token);
        return path;
    }

    private WorkloadIdentityCredential Workload(RegisteredApp app, string tokenFile) =>
        new(new WorkloadIdentityCredentialOptions
        {
            TenantId = app.TenantId,
            ClientId = app.ClientId,
            TokenFilePath = tokenFile,
            AuthorityHost = fx.Server.AuthorityHost,
            DisableInstanceDiscovery = true,
        });

    private static TokenRequestContext Graph => new([IdentityTestServer.GraphScope]);

    [Fact]
    public async Task Federated_token_file_gets_a_token()
    {
        var app = App();
        var token = await Workload(app, TokenFile(fx.Server.MintFederatedToken(Subject))).GetTokenAsync(Graph, default);
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
        var entry = Assert.Single(fx.RequestsOf(app));
        Assert.Equal(("federated", 200), (entry.CredentialKind, entry.StatusCode));
    }

    [Fact]
    public async Task Client_assertion_callback_gets_a_token()
    {
        var app = App();
        var credential = new ClientAssertionCredential(app.TenantId, app.ClientId, () => fx.Server.MintFederatedToken(Subject),
            new ClientAssertionCredentialOptions { AuthorityHost = fx.Server.AuthorityHost, DisableInstanceDiscovery = true });
        var token = await credential.GetTokenAsync(Graph, default);
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
    }

    [Fact]
    public async Task Token_for_another_subject_fails_with_AADSTS70021()
    {
        var app = App();
        var other = "repo:contoso/callrecords-reports:pull_request";
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Workload(app, TokenFile(fx.Server.MintFederatedToken(other))).GetTokenAsync(Graph, default).AsTask());
        Assert.Contains("AADSTS70021", ExceptionText.Of(e));
        Assert.Contains($"Assertion Subject: '{other}'", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Token_for_another_audience_fails_with_AADSTS70021()
    {
        var app = App();
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Workload(app, TokenFile(fx.Server.MintFederatedToken(Subject, audience: "api://SomethingElse"))).GetTokenAsync(Graph, default).AsTask());
        Assert.Contains("AADSTS70021", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Token_forged_with_another_key_is_rejected()
    {
        var app = App();
        using var forger = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var forged = Jwt.Sign(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" }, new JsonObject
        {
            ["iss"] = fx.Server.FederatedIssuer,
            ["sub"] = Subject,
            ["aud"] = FederatedIdentityCredential.DefaultAudience,
            ["nbf"] = now,
            ["exp"] = now + 600,
        }, forger);
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Workload(app, TokenFile(forged)).GetTokenAsync(Graph, default).AsTask());
        Assert.Contains("AADSTS700211", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Expired_federated_token_fails_with_AADSTS700024()
    {
        var app = App();
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Workload(app, TokenFile(fx.Server.MintFederatedToken(Subject, lifetime: TimeSpan.FromMinutes(-30)))).GetTokenAsync(Graph, default).AsTask());
        Assert.Contains("AADSTS700024", ExceptionText.Of(e));
    }
}
