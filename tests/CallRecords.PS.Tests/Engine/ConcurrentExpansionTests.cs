using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// The per-record fan-out against emulators with latency and scaled-down throttles: the emulator's in-flight gauge
/// never passes -ThrottleLimit and reaches it (a barrier at the limit answers only once that many are in flight, so
/// reaching it is proven, not timed), output keeps the list's order, and 429s are absorbed by backing off.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ConcurrentExpansionTests
{
    private readonly EngineFixture _f;

    public ConcurrentExpansionTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    private static Task<EmulatorHost> StartAsync(EngineFixture f, int latencyMs, int jitterMs, ThrottleLimits? limits) =>
        EmulatorHost.StartAsync(new EmulatorOptions
        {
            Seed = 31, Records = 120, Days = 10, Now = f.Now, LatencyMs = latencyMs, LatencyJitterMs = jitterMs,
            Throttle = limits is not null, ThrottleLimits = limits ?? ThrottleLimits.Graph(),
        });

    private PsRun RunOn(EmulatorHost host, string script, params (string, object?)[] vars)
    {
        var all = new Dictionary<string, object?> { ["token"] = _f.Token(host), ["endpoint"] = host.BaseAddress };
        foreach (var (k, v) in vars) all[k] = v;
        return _f.Run("$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -PassThru; " + script, all);
    }

    [Fact]
    public async Task ListExpansionStaysWithinTheLimitReachesItAndKeepsTheListOrder()
    {
        // Jitter makes responses finish out of order; the output must not.
        await using var host = await StartAsync(_f, latencyMs: 60, jitterMs: 80, limits: null);
        var expected = host.Truth.Records().Take(60).ToList();
        var hold = host.Control.Hold(Routes.GetCallRecord, releaseAt: 6);
        var run = RunOn(host, "Get-CallRecord -Connection $c -First 60 -ExpandSession -ThrottleLimit 6");
        Assert.Empty(run.Errors);
        var records = run.Objects<CallRecord>();
        TruthAssert.Equal(expected, records.Select(r => r.Id), "expanded records");
        foreach (var r in records)
            TruthAssert.Equal(host.Truth.Sessions(r.Id)!.Select(s => s.Id), r.Sessions!.Select(s => s.Id), $"sessions of {r.Id}");
        Assert.True(hold.Reached, hold.ToString());
        var gauge = host.Control.InFlightOf(Routes.GetCallRecord);
        Assert.Equal(6, gauge.Max);
        Assert.Equal(60, EngineFixture.Count(host, Routes.GetCallRecord));
        // One request per record: no organizer request in the list expansion.
        Assert.Equal(0, EngineFixture.Count(host, Routes.GetOrganizer));
    }

    [Fact]
    public async Task StreamsOverPipedRecordsStayWithinTheLimitAndKeepOrder()
    {
        await using var host = await StartAsync(_f, latencyMs: 40, jitterMs: 80, limits: null);
        var first = host.Truth.Records().Take(50).ToList();
        var hold = host.Control.Hold(Routes.GetCallRecord, releaseAt: 5);
        var run = RunOn(host, "Get-CallRecord -Connection $c -First 50 | Get-CallRecordStream -Connection $c -ThrottleLimit 5");
        Assert.Empty(run.Errors);
        var rows = run.Objects<CallRecordStream>();
        var truth = first.SelectMany(id => { host.Data.TryGetIndex(id, out var i); return host.Data.Streams(i); }).ToList();
        TruthAssert.Equal(truth.Select(t => $"{t.CallRecordId}/{t.StreamId}"), rows.Select(r => $"{r.CallRecordId}/{r.StreamId}"), "streams of 50 records");
        Assert.True(hold.Reached, hold.ToString());
        var gauge = host.Control.InFlightOf(Routes.GetCallRecord);
        Assert.Equal(5, gauge.Max);
    }

    [Fact]
    public async Task ThrottlingIsAbsorbedByBackingOffAndNothingIsLost()
    {
        // Graph's per-app-per-tenant ceiling scaled down to 12 requests per second.
        var limits = ThrottleLimits.Graph() with { PerAppPerTenant = new ThrottleLimit(12, TimeSpan.FromSeconds(1)) };
        await using var host = await StartAsync(_f, latencyMs: 10, jitterMs: 0, limits);
        var expected = host.Truth.Records().Take(40).ToList();
        // Twelve expansions arrive together (with the list request, one more than the ceiling): 429s are certain.
        var hold = host.Control.Hold(Routes.GetCallRecord, releaseAt: 12);
        var run = RunOn(host, "Get-CallRecord -Connection $c -First 40 -ExpandSession -ThrottleLimit 16 -Verbose");
        Assert.True(hold.Reached, hold.ToString());
        Assert.Empty(run.Errors);
        TruthAssert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id), "expanded records");
        Assert.All(run.Objects<CallRecord>(), r => Assert.NotNull(r.Sessions));

        var log = EngineFixture.Requests(host, Routes.GetCallRecord);
        Assert.Contains(log, e => e.Status == 429);
        Assert.Contains(run.Verbose, v => v.StartsWith("Graph is throttling: at most 12 concurrent", StringComparison.Ordinal));
        Assert.True(host.Control.InFlightOf(Routes.GetCallRecord).Max <= 16);
        // Every record was eventually served once.
        Assert.Equal(expected.Count, log.Where(e => e.Status == 200).Select(e => e.RecordId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
