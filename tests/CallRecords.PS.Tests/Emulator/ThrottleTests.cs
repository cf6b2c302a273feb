using System.Net;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

public sealed class ThrottleTests
{
    private const string List = "v1.0/communications/callRecords";

    // Windows are long (60 s) so nothing leaves them while a test runs: the assertions are about counts, not time.
    private static Task<EmulatorHost> Start(ThrottleLimits limits, bool on = true) => EmulatorHost.StartAsync(new EmulatorOptions
    {
        Records = 30, Days = 10, LogRows = 50, Throttle = on, ThrottleLimits = limits,
    });

    private static ThrottleLimit L(int n) => new(n, TimeSpan.FromSeconds(60));

    [Fact]
    public async Task ListCeilingAnswers429WithRetryAfterFromTheWindow()
    {
        await using var host = await Start(ThrottleLimits.Graph() with { List = L(3) });
        using var c = new GraphTestClient(host);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(List)).Status);
        var r = await c.GetAsync(List);
        GraphAssert.Error(r, HttpStatusCode.TooManyRequests, "TooManyRequests");
        var retry = r.Message.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retry.TotalSeconds, 1, 60);
        // Other routes have their own windows.
        var id = host.Data.Records[^1].Id;
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"{List}/{id}")).Status);
        var logged = host.Requests.Where(e => e.Route == Routes.ListCallRecords).ToList();
        Assert.Equal(new[] { false, false, false, true }, logged.Select(e => e.Throttled));
        Assert.Equal(429, logged[^1].Status);
    }

    [Fact]
    public async Task PerRecordCeilingIsPerRecordAndPerAppPerTenant()
    {
        await using var host = await Start(ThrottleLimits.Graph() with { PerRecord = L(2) });
        using var c = new GraphTestClient(host);
        var a = host.Data.Records[^1].Id;
        var b = host.Data.Records[^2].Id;
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"{List}/{a}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"{List}/{a}/sessions")).Status);
        GraphAssert.Error(await c.GetAsync($"{List}/{a}/participants_v2"), HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"{List}/{b}")).Status);
        // Another app in the same tenant has its own window.
        c.Token = host.MintToken(appId: "99999999-0000-4000-8000-000000000001");
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"{List}/{a}")).Status);
    }

    [Fact]
    public async Task PerAppCeilingAndPstnCeilingApplyAndCanBeChangedAtRuntime()
    {
        await using var host = await Start(ThrottleLimits.Graph() with { PstnType = L(2) });
        using var c = new GraphTestClient(host);
        var now = host.Now;
        var fn = $"v1.0/communications/callRecords/getPstnCalls(fromDateTime={now.AddDays(-5):yyyy-MM-dd},toDateTime={now:yyyy-MM-dd})";
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(fn)).Status);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(fn.Replace("getPstnCalls", "getDirectRoutingCalls"))).Status);
        GraphAssert.Error(await c.GetAsync(fn), HttpStatusCode.TooManyRequests, "TooManyRequests");

        host.Control.ThrottleLimits = ThrottleLimits.Graph() with { PerAppPerTenant = L(1) };
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(fn)).Status);
        GraphAssert.Error(await c.GetAsync(List), HttpStatusCode.TooManyRequests, "TooManyRequests");

        host.Control.ThrottleEnabled = false;
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(List)).Status);
    }

    [Fact]
    public async Task ThrottleOffNeverAnswers429()
    {
        await using var host = await Start(ThrottleLimits.Graph() with { List = L(1), PerAppPerTenant = L(1) }, on: false);
        using var c = new GraphTestClient(host);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(List)).Status);
    }
}
