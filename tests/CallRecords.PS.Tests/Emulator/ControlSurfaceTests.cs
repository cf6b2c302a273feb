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
        using var c = new GraphTestClient(host);
        var ids = host.Data.Records.Take(4).Select(r => r.Id).ToList();
        // A barrier at 4: the requests are answered only once all four are in flight together.
        var hold = host.Control.Hold(Routes.GetCallRecord, releaseAt: 4);
        var results = await Task.WhenAll(ids.Select(id => c.GetAsync($"{List}/{id}")));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(hold.Reached, hold.ToString());
        Assert.Equal(4, host.Control.RouteCounters[Routes.GetCallRecord]);
        var gauge = host.Control.InFlightOf(Routes.GetCallRecord);
        Assert.Equal(0, gauge.Current);
        Assert.Equal(4, gauge.Max);

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

    [Fact]
    public async Task GroundTruthFiltersByParticipantTypeAndModalityAndListsSessionsAndParticipants()
    {
        var now = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 300, Days = 30, Now = now, LogRows = 10 });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        async Task<List<string>> Ids(string query) =>
            JsonNode.Parse(await http.GetStringAsync("_emulator/truth/records?" + query))!["ids"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        // Graph's list order, derived here on its own: start, then id (ordinal) among records that share a start.
        var retained = host.Data.Records.Where(r => r.StartDateTime >= now.AddDays(-30))
            .OrderBy(r => r.StartDateTime.UtcTicks).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

        var pid = retained.SelectMany(r => r.ParticipantIds).GroupBy(x => x).OrderByDescending(g => g.Count()).First().Key;
        var withPid = retained.Where(r => r.ParticipantIds.Contains(pid)).Select(r => r.Id).ToList();
        Assert.True(withPid.Count > 1);
        Assert.Equal(withPid, await Ids("participant=" + Uri.EscapeDataString(pid)));
        Assert.Equal(withPid, host.Truth.Records(participant: pid));

        var groups = retained.Where(r => r.Type == "groupCall").Select(r => r.Id).ToList();
        Assert.Equal(groups, await Ids("type=GROUPCALL"));
        var modalities = retained.ToDictionary(r => r.Id, r => host.Data.BuildCallRecord(r.Index)["modalities"]!.AsArray().Select(m => (string)m!).ToList());
        var audio = retained.Where(r => modalities[r.Id].Contains("audio")).Select(r => r.Id).ToList();
        Assert.InRange(audio.Count, 1, retained.Count - 1); // some calls have no audio
        Assert.Equal(audio, await Ids("modality=audio"));
        Assert.Equal(retained.Where(r => modalities[r.Id].Contains("video")).Select(r => r.Id), await Ids("modality=video"));

        var rec = retained.First(r => r.SessionCount > 60);
        var sessions = JsonNode.Parse(await http.GetStringAsync($"_emulator/truth/sessions/{rec.Id}"))!;
        var built = host.Data.BuildSessions(rec.Index);
        Assert.Equal(rec.SessionCount, sessions["count"]!.GetValue<int>());
        Assert.Equal(built.Select(x => x!["id"]!.GetValue<string>()), sessions["value"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()));
        Assert.Equal(built.SelectMany(x => x!["segments"]!.AsArray().Select(g => g!["id"]!.GetValue<string>())),
            sessions["value"]!.AsArray().SelectMany(x => x!["segmentIds"]!.AsArray().Select(g => g!.GetValue<string>())));

        var participants = JsonNode.Parse(await http.GetStringAsync($"_emulator/truth/participants/{rec.Id}"))!;
        Assert.Equal(rec.ParticipantIds, participants["ids"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(rec.ParticipantIds[0], participants["organizerId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"_emulator/truth/sessions/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"_emulator/truth/participants/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task TheRequestLogHoldsARequestFromItsArrivalWithTheHeadersAsSentAndNeverTheToken()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 20, Days = 5, LogRows = 10, Throttle = false });
        using var c = new GraphTestClient(host);
        var hold = host.Control.Hold(Routes.ListCallRecords);
        var answer = c.GetAsync(List, m =>
        {
            m.Headers.Add("Prefer", "odata.maxpagesize=7");
            m.Headers.Add("client-request-id", "correlation-17");
        });
        Assert.True(await hold.WaitUntilAsync(h => h.Held == 1, TimeSpan.FromSeconds(30)), hold.ToString());

        var pending = Assert.Single(host.Requests);
        Assert.False(pending.Completed);
        Assert.Equal(0, pending.Status);
        Assert.Equal(Routes.ListCallRecords, pending.Route);
        Assert.Equal("odata.maxpagesize=7", pending.Headers["Prefer"]);
        Assert.Equal("correlation-17", pending.Headers["client-request-id"]);
        Assert.False(pending.Headers.ContainsKey("Authorization"));

        hold.Release();
        var r = await answer;
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var done = Assert.Single(host.Requests);
        Assert.True(done.Completed);
        Assert.Equal(200, done.Status);
        Assert.Equal(pending.Number, done.Number);
        Assert.Equal(r.Header("request-id"), done.RequestId);
        Assert.Equal(host.Options.TenantId, done.TenantId);

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var logged = JsonNode.Parse(await http.GetStringAsync("_emulator/requests"))!["value"]!.AsArray().Single()!;
        Assert.Equal("odata.maxpagesize=7", logged["headers"]!["Prefer"]!.GetValue<string>());
        Assert.True(logged["completed"]!.GetValue<bool>());
        Assert.DoesNotContain(c.Token!, logged.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHoldTimesOutLoudlyAndCountsWhatTheClientAbandoned()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Records = 20, Days = 5, LogRows = 10, Throttle = false });
        using var c = new GraphTestClient(host);
        var id = host.Data.Records[0].Id;

        // A barrier that is never reached lets its requests go after the timeout and says so.
        var barrier = host.Control.Hold(Routes.GetCallRecord, releaseAt: 3, timeout: TimeSpan.FromMilliseconds(200));
        var two = await Task.WhenAll(c.GetAsync($"{List}/{id}"), c.GetAsync($"{List}/{id}"));
        Assert.All(two, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(barrier.TimedOut);
        Assert.False(barrier.Reached);
        Assert.Equal(2, barrier.MaxHeld);

        // The first request passes; the second is held until the client gives up.
        var hold = host.Control.Hold(Routes.GetCallRecord, passFirst: 1);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"{List}/{id}")).Status);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var cts = new CancellationTokenSource();
        var abandoned = http.GetAsync($"{List}/{id}", cts.Token);
        Assert.True(await hold.WaitUntilAsync(h => h.Held == 1, TimeSpan.FromSeconds(30)), hold.ToString());
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.True(await hold.WaitUntilAsync(h => h.Aborted == 1 && h.Held == 0, TimeSpan.FromSeconds(30)), hold.ToString());
        Assert.False(hold.TimedOut);
        var state = JsonNode.Parse(await http.GetStringAsync("_emulator/hold"))!;
        Assert.Equal(Routes.GetCallRecord, state["route"]!.GetValue<string>());
        Assert.Equal(1, state["aborted"]!.GetValue<int>());
        Assert.Equal(2, state["arrived"]!.GetValue<int>());

        (await http.DeleteAsync("_emulator/hold")).EnsureSuccessStatusCode();
        Assert.Null(host.Control.CurrentHold);
        var set = await http.PutAsJsonAsync("_emulator/hold", new { route = Routes.ListCallRecords, releaseAt = 2, timeoutSeconds = 5 });
        set.EnsureSuccessStatusCode();
        Assert.Equal(2, host.Control.CurrentHold!.ReleaseAt);
        host.Control.ClearHold();
    }
}
