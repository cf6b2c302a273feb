using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallRecords.PS.Tests.Identity;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

/// <summary>The emulator host with its identity face: the options that turn it on, and a token from its token
/// endpoint (app registered through /_emulator/apps) being accepted by the Graph routes, for the right tenant only.</summary>
public sealed class IdentityFaceWiringTests
{
    [Fact]
    public void Command_line_turns_the_identity_face_on()
    {
        var o = EmulatorOptions.Parse(["--https-port", "5443", "--ca-out", "ca.pem", "--mi-port", "5444"]);
        Assert.Equal((true, 5443, 5444, "ca.pem"), (o.Identity, o.HttpsPort, o.ManagedIdentityPort, o.CaOut));
        Assert.True(EmulatorOptions.Parse(["--identity"]).Identity);
        Assert.False(EmulatorOptions.Parse([]).Identity);
    }

    [Fact]
    public async Task Without_the_option_there_is_no_identity_face()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 5, Throttle = false });
        Assert.Null(host.Identity);
    }

    [Fact]
    public async Task Token_from_the_identity_face_is_accepted_by_the_graph_routes()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            Records = 5, Throttle = false, Identity = true, CaOut = IdentityTestServer.TrustFile,
        });
        var identity = host.Identity!;
        Assert.Equal(Path.GetFullPath(IdentityTestServer.TrustFile), identity.CaCertificatePath);
        using var http = new HttpClient();
        var clientId = Guid.NewGuid().ToString();
        var registered = await http.PostAsJsonAsync(new Uri(identity.AuthorityHost, "_emulator/apps"), new
        {
            tenantId = host.Options.TenantId, clientId, secret = "wiring-secret", roles = new[] { "CallRecords.Read.All" },
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var tokenResponse = await http.PostAsync(new Uri(identity.AuthorityHost, $"{host.Options.TenantId}/oauth2/v2.0/token"), new FormUrlEncodedContent(
            new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "wiring-secret",
                ["scope"] = "https://graph.microsoft.com/.default",
            }));
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseAddress, "v1.0/communications/callRecords"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var list = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var logged = host.Requests.Last();
        Assert.Equal((host.Options.TenantId, clientId), (logged.TenantId, logged.AppId));

        // a token for another resource is refused by Graph for its audience
        var other = await http.PostAsync(new Uri(identity.AuthorityHost, $"{host.Options.TenantId}/oauth2/v2.0/token"), new FormUrlEncodedContent(
            new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "wiring-secret",
                ["scope"] = "https://vault.azure.net/.default",
            }));
        var otherToken = JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var refused = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseAddress, "v1.0/communications/callRecords"));
        refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
        using var refusedResponse = await http.SendAsync(refused);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedResponse.StatusCode);
    }
}
