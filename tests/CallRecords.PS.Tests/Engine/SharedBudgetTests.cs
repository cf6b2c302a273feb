using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// One request budget per connection: two fan-outs in one pipeline (and two pipelines at once on one connection) stay
/// together under Graph's windows, scaled down here (the emulator's and the client's the same: the client learns them
/// from CALLRECORDS_GRAPH_CEILINGS), so no request is answered 429 and every record and participant arrives.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class SharedBudgetTests
{
    private readonly EngineFixture _f;

    public SharedBudgetTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    private static readonly ThrottleLimits Scaled = ThrottleLimits.Graph() with
    {
        PerAppPerTenant = new ThrottleLimit(60, TimeSpan.FromSeconds(2)),
        List = new ThrottleLimit(4, TimeSpan.FromSeconds(2)),
        PerRecord = new ThrottleLimit(4, TimeSpan.FromSeconds(2)),
    };

    private const string ClientCeilings = "app=60/2;list=4/2;record=4/2";

    private async Task<(EmulatorHost Host, PsRun Run)> RunAsync(string script, int records)
    {
        var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            Seed = 33, Records = records, Days = 10, Now = _f.Now, LatencyMs = 15, LatencyJitterMs = 20, Throttle = true, ThrottleLimits = Scaled,
        });
        var before = Environment.GetEnvironmentVariable(RequestCeilings.Variable);
        Environment.SetEnvironmentVariable(RequestCeilings.Variable, ClientCeilings);
        try
        {
            var run = _f.Run("$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -PassThru -NoDefault; " + script,
                new Dictionary<string, object?> { ["token"] = _f.Token(host), ["endpoint"] = host.BaseAddress });
            return (host, run);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RequestCeilings.Variable, before);
        }
    }

    [Fact]
    public async Task Two_fan_outs_in_one_pipeline_share_the_connections_budget_and_get_no_429()
    {
        var (host, run) = await RunAsync("Get-CallRecord -Connection $c -First 80 -ExpandSession | Get-CallRecordParticipant", records: 120);
        await using var _ = host;
        Assert.Empty(run.Errors);
        var expected = host.Truth.Records().Take(80).ToList();
        var participants = run.Objects<CallRecordParticipant>();
        TruthAssert.Equal(expected.SelectMany(id => host.Truth.Participants(id)!.Select(p => id + "/" + p)),
            participants.Select(p => p.CallRecordId + "/" + p.Identity!.Id), "participants of 80 expanded records");
        var log = host.Requests.ToList();
        Assert.DoesNotContain(log, e => e.Status == 429);
        // The pair really ran against the ceiling: more requests than one window allows, so pacing was needed.
        Assert.True(log.Count > Scaled.PerAppPerTenant.Limit, $"{log.Count} requests");
    }

    [Fact]
    public async Task The_by_id_pair_shares_it_too()
    {
        var (host, run) = await RunAsync("""
            $ids = Get-CallRecord -Connection $c -First 80 | ForEach-Object Id
            $ids | Get-CallRecord -Connection $c -ExpandSession | Get-CallRecordParticipant
            """, records: 120);
        await using var _ = host;
        Assert.Empty(run.Errors);
        var expected = host.Truth.Records().Take(80).ToList();
        TruthAssert.Equal(expected.SelectMany(id => host.Truth.Participants(id)!.Select(p => id + "/" + p)),
            run.Objects<CallRecordParticipant>().Select(p => p.CallRecordId + "/" + p.Identity!.Id), "participants of 80 records read by id");
        Assert.DoesNotContain(host.Requests, e => e.Status == 429);
        Assert.True(host.Requests.Count > Scaled.PerAppPerTenant.Limit, $"{host.Requests.Count} requests");
    }
}
