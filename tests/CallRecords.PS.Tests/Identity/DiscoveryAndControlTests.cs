using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

public class DiscoveryAndControlTests(IdentityServerFixture fx) : IClassFixture<IdentityServerFixture>
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetJson(Uri uri)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(uri);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task OpenId_configuration_names_this_host_endpoints()
    {
        var app = fx.RegisterApp(secret: "s");
        var (status, body) = await GetJson(new Uri(fx.Server.AuthorityHost, $"{app.TenantId}/v2.0/.well-known/openid-configuration"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{fx.Server.AuthorityHost}{app.TenantId}/oauth2/v2.0/token", body.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{fx.Server.AuthorityHost}{app.TenantId}/oauth2/v2.0/authorize", body.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{fx.Server.AuthorityHost}{app.TenantId}/v2.0", body.GetProperty("issuer").GetString());

        var (keysStatus, keys) = await GetJson(new Uri(body.GetProperty("jwks_uri").GetString()!));
        Assert.Equal(HttpStatusCode.OK, keysStatus);
        Assert.Equal(fx.Issuer.KeyId, Assert.Single(keys.GetProperty("keys").EnumerateArray()).GetProperty("kid").GetString());
    }

    [Fact]
    public async Task OpenId_configuration_of_an_unknown_tenant_is_invalid_tenant()
    {
        var (status, body) = await GetJson(new Uri(fx.Server.AuthorityHost, "no-such-tenant/v2.0/.well-known/openid-configuration"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_tenant", body.GetProperty("error").GetString());
        Assert.Equal(90002, body.GetProperty("error_codes")[0].GetInt32());
    }

    [Fact]
    public async Task Instance_discovery_points_back_at_this_host()
    {
        var authorize = Uri.EscapeDataString($"{fx.Server.AuthorityHost}contoso-tenant/oauth2/v2.0/authorize");
        var (status, body) = await GetJson(new Uri(fx.Server.AuthorityHost,
            $"common/discovery/instance?api-version=1.1&authorization_endpoint={authorize}"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{fx.Server.AuthorityHost}contoso-tenant/v2.0/.well-known/openid-configuration",
            body.GetProperty("tenant_discovery_endpoint").GetString());
        var metadata = Assert.Single(body.GetProperty("metadata").EnumerateArray());
        Assert.Equal("127.0.0.1", metadata.GetProperty("preferred_network").GetString());
        Assert.Contains("localhost", metadata.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Apps_registered_through_the_control_route_authenticate()
    {
        using var cert = new ClientCertificateFiles();
        var tenant = Guid.NewGuid().ToString();
        var client = Guid.NewGuid().ToString();
        const string secret = "posted-secret";
        using var http = new HttpClient();
        using var posted = await http.PostAsJsonAsync(new Uri(fx.Server.AuthorityHost, "_emulator/apps"), new
        {
            tenantId = tenant, clientId = client, secret, certificatePem = cert.PublicPem, roles = new[] { "CallRecords.Read.All" },
        });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        var bySecret = await new ClientSecretCredential(tenant, client, secret,
                new ClientSecretCredentialOptions { AuthorityHost = fx.Server.AuthorityHost, DisableInstanceDiscovery = true })
            .GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);
        TokenAssert.AppToken(bySecret.Token, fx.Issuer, tenant, client, "https://graph.microsoft.com");

        var byCert = await new ClientCertificateCredential(tenant, client, cert.PemPath,
                new ClientCertificateCredentialOptions { AuthorityHost = fx.Server.AuthorityHost, DisableInstanceDiscovery = true })
            .GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);
        TokenAssert.AppToken(byCert.Token, fx.Issuer, tenant, client, "https://graph.microsoft.com");

        // The request log over the control surface names the attempts, never the secret.
        var (status, log) = await GetJson(new Uri(fx.Server.AuthorityHost, "_emulator/token-requests"));
        Assert.Equal(HttpStatusCode.OK, status);
        var mine = log.EnumerateArray().Where(e => e.GetProperty("clientId").GetString() == client).ToList();
        Assert.Equal(["client_secret", "certificate"], mine.Select(e => e.GetProperty("credentialKind").GetString()));
        Assert.DoesNotContain(secret, log.GetRawText());
    }

    [Fact]
    public async Task Control_route_mints_federated_tokens_and_registers_managed_identities()
    {
        using var http = new HttpClient();
        using var minted = await http.PostAsJsonAsync(new Uri(fx.Server.AuthorityHost, "_emulator/federated-tokens"),
            new { subject = "repo:contoso/x:ref:refs/heads/main" });
        minted.EnsureSuccessStatusCode();
        var body = await minted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(Jwt.TryParse(body.GetProperty("token").GetString(), out var jwt));
        Assert.Equal(("repo:contoso/x:ref:refs/heads/main", fx.Server.FederatedIssuer), (jwt.Claim("sub"), jwt.Claim("iss")));

        var tenant = Guid.NewGuid().ToString();
        using var mi = await http.PostAsJsonAsync(new Uri(fx.Server.AuthorityHost, "_emulator/managed-identities"),
            new { tenantId = tenant, clientId = "uami-1", roles = new[] { "CallRecords.Read.All" } });
        Assert.Equal(HttpStatusCode.Created, mi.StatusCode);

        // Straight to the App Service endpoint, as MSAL calls it.
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{fx.Server.ManagedIdentityEndpoint}?api-version=2019-08-01&resource=https://graph.microsoft.com&client_id=uami-1");
        request.Headers.Add("X-IDENTITY-HEADER", fx.Server.ManagedIdentityHeader);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal("uami-1", token.GetProperty("client_id").GetString());
        Assert.Equal("https://graph.microsoft.com", token.GetProperty("resource").GetString());
        var expiresOn = long.Parse(token.GetProperty("expires_on").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresOn - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3000, 3601);
        TokenAssert.AppToken(token.GetProperty("access_token").GetString()!, fx.Issuer, tenant, "uami-1", "https://graph.microsoft.com");
    }
}
