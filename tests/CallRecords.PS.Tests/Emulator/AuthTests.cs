using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

[Collection(SharedEmulatorCollection.Name)]
public sealed class AuthTests(SharedEmulatorFixture f)
{
    private const string List = "v1.0/communications/callRecords";

    private async Task<GraphResponse> With(string? token)
    {
        using var c = new GraphTestClient(f.Host) { Token = token };
        return await c.GetAsync(List);
    }

    [Fact]
    public async Task MissingMalformedForgedAndExpiredTokensGet401()
    {
        var messages = new List<string>();
        foreach (var token in new string?[]
                 {
                     null,
                     "not-a-jwt",
                     Forged(),
                     f.Host.MintToken(lifetime: TimeSpan.FromHours(-1)),
                 })
        {
            var r = await With(token);
            var e = GraphAssert.Error(r, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
            Assert.NotNull(r.Message.Headers.WwwAuthenticate.SingleOrDefault());
            messages.Add(e["message"]!.GetValue<string>());
            if (token is not null) Assert.DoesNotContain(token, r.Message.Content.Headers.ToString() + e.ToJsonString());
        }
        Assert.Equal(4, messages.Distinct().Count());
    }

    private string Forged()
    {
        // A token the emulator did not sign: same header and claims, signature of another key.
        var real = f.Host.MintToken().Split('.');
        var other = f.Host.MintToken(appId: "11111111-2222-3333-4444-555555555555").Split('.');
        return real[0] + "." + real[1] + "." + other[2];
    }

    [Fact]
    public async Task TokensWithoutTheRoleOrDelegatedGet403()
    {
        var noRole = await With(f.Host.MintToken(roles: new[] { "User.Read.All" }));
        var e = GraphAssert.Error(noRole, HttpStatusCode.Forbidden, "Forbidden");
        Assert.Contains("CallRecords.Read.All", e["message"]!.GetValue<string>());
        GraphAssert.Error(await With(f.Host.MintToken(delegated: true)), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(HttpStatusCode.OK, (await With(f.Host.MintToken())).Status);
    }

    [Fact]
    public async Task TokensEndpointMintsUsableTokensAndTheLogRecordsTheCaller()
    {
        using var http = new HttpClient { BaseAddress = f.Host.BaseAddress };
        var tenant = "0f0e0d0c-0000-4000-8000-000000000042";
        var app = "a1a1a1a1-0000-4000-8000-000000000042";
        var res = await http.PostAsJsonAsync("_emulator/tokens", new { tenant, appId = app, lifetimeSeconds = 600 });
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
        Assert.Equal(600, body["expires_in"]!.GetValue<long>());
        var token = body["access_token"]!.GetValue<string>();
        var r = await With(token);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var entry = f.Host.Requests.Single(x => x.RequestId == r.Header("request-id"));
        Assert.Equal(tenant, entry.TenantId);
        Assert.Equal(app, entry.AppId);
        Assert.Equal(Routes.ListCallRecords, entry.Route);
        Assert.Equal("GET", entry.Method);
        Assert.False(string.IsNullOrEmpty(entry.Subject));

        var log = await http.GetStringAsync("_emulator/requests");
        Assert.Contains(tenant, log);
        Assert.DoesNotContain(token, log);
    }

    [Fact]
    public async Task AcceptAnyTokenLetsAnyBearerThroughButNotNone()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 20, AcceptAnyToken = true, LogRows = 10 });
        using var c = new GraphTestClient(host) { Token = "anything-at-all" };
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(List)).Status);
        c.Token = null;
        GraphAssert.Error(await c.GetAsync(List), HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
    }
}
