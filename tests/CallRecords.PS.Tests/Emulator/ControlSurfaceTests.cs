using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

public sealed class ControlSurfaceTests
{
    private const string List = "v1.0/communications/callRecords";

    [Fact]
    public async Task ResetReseedsTheDataAndForgetsWritesAndTheLog()
    {
        var now = DateTimeOffset.UtcNow;
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 1, Records = 40, Days = 10, Now = now, LogRows = 20 });
        using var c = new GraphTestClient(host);
        var before = GraphAssert.Ids(await c.GetAllPagesAsync(List));
        Assert.Equal(host.Data.Records.Select(r => r.Id), before);

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var res = await http.PostAsJsonAsync("_emulator/reset", new { seed = 2, records = 25 });
        res.EnsureSuccessStatusCode();
        Assert.Equal(25, host.Data.Records.Count);
        Assert.Empty(host.Requests);
        var after = GraphAssert.Ids(await c.GetAllPagesAsync(List));
        Assert.Equal(host.Data.Records.Select(r => r.Id), after);
        Assert.Empty(after.Intersect(before));

        await host.ResetAsync(seed: 1, records: 40);
        Assert.Equal(before, GraphAssert.Ids(await c.GetAllPagesAsync(List)));
    }

    [Fact]
    public async Task CountersAndInFlightGaugesTrackConcurrency()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 20, Days = 5, LogRows = 10, Throttle = false });
        host.Control.LatencyMs = 100;
        using var c = new GraphTestClient(host);
        var ids = host.Data.Records.Take(4).Select(r => r.Id).ToList();
        var results = await Task.WhenAll(ids.Select(id => c.GetAsync($"{List}/{id}")));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(4, host.Control.RouteCounters[Routes.GetCallRecord]);
        var gauge = host.Control.InFlightOf(Routes.GetCallRecord);
        Assert.Equal(0, gauge.Current);
        Assert.InRange(gauge.Max, 1, 4);

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var counters = JsonNode.Parse(await http.GetStringAsync("_emulator/counters"))!;
        Assert.Equal(4, counters["requests"]![Routes.GetCallRecord]!.GetValue<long>());
        Assert.Equal(gauge.Max, counters["inFlight"]![Routes.GetCallRecord]!["max"]!.GetValue<int>());

        var latency = await http.PutAsJsonAsync("_emulator/latency", new { latencyMs = 0, jitterMs = 0 });
        latency.EnsureSuccessStatusCode();
        Assert.Equal(0, host.Control.LatencyMs);
        (await http.DeleteAsync("_emulator/counters")).EnsureSuccessStatusCode();
        Assert.Empty(host.Control.RouteCounters);
    }

    [Fact]
    public async Task GroundTruthMatchesTheDataSet()
    {
        var now = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 60, Days = 35, Now = now, LogRows = 300 });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var from = now.AddDays(-20);
        var to = now.AddDays(-5);
        var truth = JsonNode.Parse(await http.GetStringAsync($"_emulator/truth/records?from={from:yyyy-MM-ddTHH:mm:ssZ}&to={to:yyyy-MM-ddTHH:mm:ssZ}"))!;
        var expected = host.Data.Records.Where(r => r.StartDateTime >= from && r.StartDateTime < to).Select(r => r.Id).ToList();
        Assert.Equal(expected, truth["ids"]!.AsArray().Select(n => n!.GetValue<string>()));

        var all = JsonNode.Parse(await http.GetStringAsync("_emulator/truth/records"))!;
        Assert.Equal(host.Data.Records.Count(r => r.StartDateTime >= now.AddDays(-30)), all["count"]!.GetValue<int>());

        var rec = host.Data.Records[^1];
        var poor = JsonNode.Parse(await http.GetStringAsync($"_emulator/truth/streams/{rec.Id}?poor=true"))!;
        Assert.Equal(host.Data.Streams(rec.Index).Count(s => string.Equals(s.Quality, "Poor", StringComparison.OrdinalIgnoreCase)), poor["count"]!.GetValue<int>());

        var logs = JsonNode.Parse(await http.GetStringAsync($"_emulator/truth/logs/pstnCalls?from={now.AddDays(-30):yyyy-MM-dd}&to={now:yyyy-MM-dd}"))!;
        var t = host.Data.PstnCalls;
        Assert.Equal(Enumerable.Range(0, t.Count).Count(i => t.Timestamp(i) >= now.AddDays(-30) && t.Timestamp(i) < now), logs["count"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("_emulator/truth/logs/nonsense")).StatusCode);
    }
}
