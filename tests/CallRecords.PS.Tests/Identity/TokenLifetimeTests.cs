using System.Net.Http.Json;
using Azure.Core;
using Azure.Identity;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

/// <summary>Token caching as Azure.Identity/MSAL does it against the emulator. MSAL serves a cached app token until
/// five minutes before it expires; a token that lives less than that is never served from the cache, so with the
/// tests' 3-second lifetime every GetToken is a new token request (no waiting involved).</summary>
public class TokenLifetimeTests
{
    private const string Secret = "lifetime-secret";

    private static ClientSecretCredential Credential(IdentityServer server, RegisteredApp app) =>
        new(app.TenantId, app.ClientId, Secret,
            new ClientSecretCredentialOptions { AuthorityHost = server.AuthorityHost, DisableInstanceDiscovery = true });

    private static RegisteredApp Register(IdentityServer server)
    {
        var app = new RegisteredApp(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Secret, null, [IdentityTestServer.CallRecordsRole]);
        server.RegisterApp(app);
        return app;
    }

    [Fact]
    public async Task One_hour_token_is_requested_once_for_fifty_calls()
    {
        var (server, issuer) = await IdentityTestServer.StartAsync(TimeSpan.FromHours(1));
        await using var _ = server;
        using var __ = issuer;
        var credential = Credential(server, Register(server));

        var tokens = new HashSet<string>();
        for (var i = 0; i < 50; i++)
            tokens.Add((await credential.GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default)).Token);

        Assert.Equal(1, server.TokenRequestCount);
        Assert.Single(tokens);
    }

    [Fact]
    public async Task Three_second_token_is_requested_again_on_each_call()
    {
        var (server, issuer) = await IdentityTestServer.StartAsync(TimeSpan.FromSeconds(3));
        await using var _ = server;
        using var __ = issuer;
        var app = Register(server);
        var credential = Credential(server, app);

        var first = await credential.GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);
        var second = await credential.GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);

        Assert.Equal(2, server.TokenRequestCount);
        var jwt = TokenAssert.AppToken(first.Token, issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
        Assert.Equal(3, jwt.NumericClaim("exp") - jwt.NumericClaim("iat"));
        Assert.True(first.ExpiresOn <= DateTimeOffset.UtcNow.AddSeconds(4));
        Assert.True(second.ExpiresOn >= first.ExpiresOn);
    }

    [Fact]
    public async Task Lifetime_changes_at_runtime_through_property_and_control_route()
    {
        var (server, issuer) = await IdentityTestServer.StartAsync(TimeSpan.FromHours(1));
        await using var _ = server;
        using var __ = issuer;
        var app = Register(server);

        server.TokenLifetime = TimeSpan.FromSeconds(3);
        var a = await Credential(server, app).GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);
        Assert.True(Jwt.TryParse(a.Token, out var ja));
        Assert.Equal(3, ja.NumericClaim("exp") - ja.NumericClaim("iat"));

        using var http = new HttpClient();
        using var put = await http.PutAsJsonAsync(new Uri(server.AuthorityHost, "_emulator/token-lifetime"), new { seconds = 120 });
        put.EnsureSuccessStatusCode();
        Assert.Equal(TimeSpan.FromSeconds(120), server.TokenLifetime);
        var b = await Credential(server, app).GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);
        Assert.True(Jwt.TryParse(b.Token, out var jb));
        Assert.Equal(120, jb.NumericClaim("exp") - jb.NumericClaim("iat"));
        Assert.Equal(2, server.TokenRequestCount);
    }
}
