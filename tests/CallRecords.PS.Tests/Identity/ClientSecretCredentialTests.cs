using System.Net;
using Azure.Core;
using Azure.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

public class ClientSecretCredentialTests(IdentityServerFixture fx) : IClassFixture<IdentityServerFixture>
{
    private const string Secret = "Zq8~sEcReT-value.that-must-never-be-echoed";

    private ClientSecretCredential Credential(string tenant, string client, string secret) =>
        new(tenant, client, secret, new ClientSecretCredentialOptions
        {
            AuthorityHost = fx.Server.AuthorityHost,
            // The emulator is not a known Entra host, for which MSAL would ask login.microsoftonline.com for instance
            // metadata (and, offline, wait for that call to fail before falling back).
            DisableInstanceDiscovery = true,
        });

    [Fact]
    public async Task Secret_gets_an_app_token_with_tenant_app_and_roles()
    {
        var app = fx.RegisterApp(secret: Secret);
        var token = await Credential(app.TenantId, app.ClientId, Secret)
            .GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);

        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(50));
        var entry = Assert.Single(fx.RequestsOf(app));
        Assert.Equal(("token", "client_credentials", "client_secret", 200, "issued", "https://graph.microsoft.com"),
            (entry.Endpoint, entry.GrantType, entry.CredentialKind, entry.StatusCode, entry.Outcome, entry.Resource));
    }

    [Fact]
    public async Task Custom_graph_endpoint_scope_gives_a_token_for_that_resource()
    {
        var app = fx.RegisterApp(secret: Secret);
        var token = await Credential(app.TenantId, app.ClientId, Secret)
            .GetTokenAsync(new TokenRequestContext(["http://127.0.0.1:5080/.default"]), default);
        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "http://127.0.0.1:5080");
    }

    [Fact]
    public async Task Wrong_secret_fails_with_AADSTS7000215_and_never_echoes_the_secret()
    {
        var app = fx.RegisterApp(secret: Secret);
        const string wrong = "wrong-secret-Kq3~that-must-not-leak";
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Credential(app.TenantId, app.ClientId, wrong).GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default).AsTask());

        Assert.Contains("AADSTS7000215", ExceptionText.Of(e));
        Assert.Contains(app.ClientId, ExceptionText.Of(e));
        var everything = e.ToString();
        Assert.DoesNotContain(wrong, everything);
        Assert.DoesNotContain(Secret, everything);
        var entry = Assert.Single(fx.RequestsOf(app));
        Assert.Equal((401, "AADSTS7000215"), (entry.StatusCode, entry.Outcome));
        Assert.DoesNotContain(wrong, entry.ToString());
        Assert.DoesNotContain(wrong, string.Join("\n", fx.Server.Requests));
    }

    [Fact]
    public async Task Unknown_tenant_fails_with_AADSTS90002()
    {
        var app = fx.RegisterApp(secret: Secret);
        var tenant = Guid.NewGuid().ToString();
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Credential(tenant, app.ClientId, Secret).GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default).AsTask());
        Assert.Contains("AADSTS90002", ExceptionText.Of(e));
        Assert.Contains($"Tenant '{tenant}' not found", ExceptionText.Of(e));
        Assert.DoesNotContain(Secret, e.ToString());
    }

    [Fact]
    public async Task Unknown_client_fails_with_AADSTS700016()
    {
        var app = fx.RegisterApp(secret: Secret);
        var client = Guid.NewGuid().ToString();
        var e = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            Credential(app.TenantId, client, Secret).GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default).AsTask());
        Assert.Contains("AADSTS700016", ExceptionText.Of(e));
        Assert.Contains($"Application with identifier '{client}' was not found in the directory '{app.TenantId}'", ExceptionText.Of(e));
    }

    [Fact]
    public async Task Error_bodies_have_Entra_shape()
    {
        var app = fx.RegisterApp(secret: Secret);
        using var http = new HttpClient();
        var correlation = Guid.NewGuid().ToString();

        async Task<(HttpStatusCode, System.Text.Json.JsonElement)> Post(string tenant, params (string, string)[] form)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fx.Server.AuthorityHost, $"{tenant}/oauth2/v2.0/token"))
            {
                Content = new FormUrlEncodedContent(form.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2))),
            };
            request.Headers.Add("client-request-id", correlation);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, ErrorJson.Parse(await response.Content.ReadAsStringAsync()));
        }

        var (status, body) = await Post(app.TenantId, ("grant_type", "client_credentials"), ("client_id", app.ClientId),
            ("client_secret", "nope"), ("scope", IdentityTestServer.GraphScope));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.StartsWith("AADSTS7000215: Invalid client secret provided.", body.GetProperty("error_description").GetString());
        Assert.Contains($"Correlation ID: {correlation}", body.GetProperty("error_description").GetString());
        Assert.Equal(7000215, Assert.Single(body.GetProperty("error_codes").EnumerateArray()).GetInt32());
        Assert.Equal(correlation, body.GetProperty("correlation_id").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("trace_id").GetString(), out _));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", body.GetProperty("timestamp").GetString());

        (status, body) = await Post("no-such-tenant", ("grant_type", "client_credentials"), ("client_id", app.ClientId),
            ("client_secret", Secret), ("scope", IdentityTestServer.GraphScope));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request", 90002),
            (status, body.GetProperty("error").GetString(), body.GetProperty("error_codes")[0].GetInt32()));

        (status, body) = await Post(app.TenantId, ("grant_type", "client_credentials"), ("client_id", "someone-else"),
            ("client_secret", Secret), ("scope", IdentityTestServer.GraphScope));
        Assert.Equal((HttpStatusCode.BadRequest, "unauthorized_client", 700016),
            (status, body.GetProperty("error").GetString(), body.GetProperty("error_codes")[0].GetInt32()));

        (status, body) = await Post(app.TenantId, ("grant_type", "client_credentials"), ("client_id", app.ClientId),
            ("scope", IdentityTestServer.GraphScope));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client", 7000218),
            (status, body.GetProperty("error").GetString(), body.GetProperty("error_codes")[0].GetInt32()));

        (status, body) = await Post(app.TenantId, ("grant_type", "client_credentials"), ("client_id", app.ClientId),
            ("client_secret", Secret), ("scope", "CallRecords.Read.All"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_scope", 1002012),
            (status, body.GetProperty("error").GetString(), body.GetProperty("error_codes")[0].GetInt32()));

        (status, body) = await Post(app.TenantId, ("grant_type", "password"), ("client_id", app.ClientId),
            ("client_secret", Secret), ("scope", IdentityTestServer.GraphScope));
        Assert.Equal((HttpStatusCode.BadRequest, "unsupported_grant_type"), (status, body.GetProperty("error").GetString()));
    }
}
