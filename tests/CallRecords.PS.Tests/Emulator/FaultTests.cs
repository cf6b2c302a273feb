using System.Net;
using System.Text.Json;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

public sealed class FaultTests
{
    private const string List = "v1.0/communications/callRecords";

    private static Task<EmulatorHost> Start() => EmulatorHost.StartAsync(new EmulatorOptions { Records = 40, Days = 10, LogRows = 50, Throttle = false });

    [Fact]
    public async Task EachFaultKindIsObservableAtItsRequestNumber()
    {
        await using var host = await Start();
        host.Control.Faults = new FaultSettings
        {
            AtRequests = new Dictionary<long, FaultKind>
            {
                [1] = FaultKind.TooManyRequests, [2] = FaultKind.ServiceUnavailable, [3] = FaultKind.GatewayTimeout,
                [4] = FaultKind.ConnectionReset, [5] = FaultKind.TruncatedBody, [6] = FaultKind.SlowBody,
            },
            RetryAfterSeconds = 3, SlowBodyChunkDelayMs = 5, SlowBodyChunks = 4,
        };
        var token = host.MintToken();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        HttpRequestMessage Req() => new(HttpMethod.Get, List) { Headers = { Authorization = new("Bearer", token) } };

        var r1 = await http.SendAsync(Req());
        Assert.Equal(HttpStatusCode.TooManyRequests, r1.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), r1.Headers.RetryAfter!.Delta);
        Assert.Equal("TooManyRequests", JsonDocument.Parse(await r1.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.SendAsync(Req())).StatusCode);
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await http.SendAsync(Req())).StatusCode);

        // Reset mid-body: headers arrive, reading the body fails.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var r = await http.SendAsync(Req());
            await r.Content.ReadAsStringAsync();
        });

        var truncated = await http.SendAsync(Req());
        Assert.Equal(HttpStatusCode.OK, truncated.StatusCode);
        var text = await truncated.Content.ReadAsStringAsync();
        Assert.StartsWith("{\"@odata.context\"", text);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));

        var slow = await http.SendAsync(Req());
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        using (var doc = JsonDocument.Parse(await slow.Content.ReadAsStringAsync()))
            Assert.True(doc.RootElement.GetProperty("value").GetArrayLength() > 0);

        var normal = await http.SendAsync(Req());
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);

        var faults = host.Requests.OrderBy(e => e.Number).Select(e => e.Fault).ToList();
        Assert.Equal(new FaultKind?[] { FaultKind.TooManyRequests, FaultKind.ServiceUnavailable, FaultKind.GatewayTimeout, FaultKind.ConnectionReset,
            FaultKind.TruncatedBody, FaultKind.SlowBody, null }, faults);
    }

    private static async Task<List<int>> Run(EmulatorHost host, int n)
    {
        using var c = new GraphTestClient(host);
        var statuses = new List<int>();
        for (var i = 0; i < n; i++) statuses.Add((int)(await c.GetAsync(List)).Status);
        return statuses;
    }

    [Fact]
    public async Task FaultsByFractionAreDeterministicForASeed()
    {
        await using var host = await Start();
        var settings = new FaultSettings { Rate = 0.3, Seed = 11, Kinds = new[] { FaultKind.TooManyRequests, FaultKind.ServiceUnavailable, FaultKind.GatewayTimeout } };
        host.Control.Faults = settings;
        var first = await Run(host, 60);
        host.Control.Faults = settings;
        var second = await Run(host, 60);
        Assert.Equal(first, second);
        Assert.Contains(200, first);
        Assert.Contains(first, s => s != 200);
        Assert.All(first, s => Assert.Contains(s, new[] { 200, 429, 503, 504 }));

        // The same seed in a fresh host gives the same sequence too.
        await using var other = await Start();
        other.Control.Faults = settings;
        Assert.Equal(first, await Run(other, 60));
    }

    [Fact]
    public async Task FaultsNeverTouchTheControlSurface()
    {
        await using var host = await Start();
        host.Control.Faults = new FaultSettings { Rate = 1.0, Kinds = new[] { FaultKind.ServiceUnavailable } };
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_emulator/counters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_emulator/faults")).StatusCode);
        using var c = new GraphTestClient(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await c.GetAsync(List)).Status);
    }

    [Fact]
    public async Task FaultsCanBeSetOverHttp()
    {
        await using var host = await Start();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var put = await http.PutAsync("_emulator/faults",
            new StringContent("{\"at\":{\"2\":\"504\"},\"rate\":0}", System.Text.Encoding.UTF8, "application/json"));
        put.EnsureSuccessStatusCode();
        Assert.Equal(await Run(host, 3), new[] { 200, 504, 200 });
    }
}
