using CallRecords.Connection;
using System.Text.RegularExpressions;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using GraphEmulator.Data;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

/// <summary>Issue #19, the module against the stricter emulator: large pages by default (and the fallback when a
/// service refuses them), organizer_v2 from the list, backoff on 429/503 without Retry-After, pacing to the PSTN-type
/// per-function limit, zoned date-time literals only, evolvable enum members and the beta log columns.</summary>
[Collection(EngineCollection.Name)]
public sealed class StrictEmulatorModuleTests
{
    private const string ConnectScript = "$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru";
    private readonly EngineFixture _f;

    public StrictEmulatorModuleTests(EngineFixture fixture) => _f = fixture;

    private Task<EmulatorHost> StartAsync(int records, Action<EmulatorOptions>? change = null)
    {
        var o = new EmulatorOptions { Seed = 9, Records = records, Days = 30, Now = _f.Now, LogRows = 10, Throttle = false };
        change?.Invoke(o);
        return EmulatorHost.StartAsync(o);
    }

    private PsRun Run(EmulatorHost host, string script, params (string Name, object? Value)[] variables)
    {
        var vars = new Dictionary<string, object?> { ["token"] = _f.Token(host), ["endpoint"] = host.BaseAddress };
        foreach (var (name, value) in variables) vars[name] = value;
        return _f.Run(ConnectScript + "\n" + script, vars);
    }

    private static IReadOnlyList<RequestLogEntry> Lists(EmulatorHost host) => EngineFixture.Requests(host, Routes.ListCallRecords);

    [Fact]
    public async Task AWhole6000RecordTenantIsListedExactlyInAFewLargePages()
    {
        // Seed 9 with 6,000 records is the listing that returned 6,002 records (two repeated on a tie) before.
        await using var host = await StartAsync(6000);
        var run = Run(host, "Get-CallRecord -Connection $c");
        Assert.Empty(run.Errors);
        var ids = run.Objects<CallRecord>().Select(r => r.Id).ToList();
        TruthAssert.Equal(host.Truth.Records(), ids, "Get-CallRecord of the whole tenant");
        Assert.Equal(6000, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var lists = Lists(host);
        Assert.InRange(lists.Count, 1, 10);
        Assert.All(lists, r => Assert.Equal("odata.maxpagesize=999, include-unknown-enum-members", r.Headers["Prefer"]));
        Assert.All(lists, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task FirstAsksForWhatItNeedsAndTheOrganizerComesWithTheList()
    {
        await using var host = await StartAsync(600);
        var run = Run(host, "Get-CallRecord -Connection $c -First 120");
        Assert.Empty(run.Errors);
        var records = run.Objects<CallRecord>();
        TruthAssert.Equal(host.Truth.Records().Take(120), records.Select(r => r.Id), "the first 120 records");
        Assert.All(records, r => Assert.Equal(host.Truth.OrganizerId(r.Id), r.Organizer?.Id));
        Assert.All(records, r => Assert.NotNull(r.Organizer));
        // One list request, nothing else: no per-record organizer request.
        var request = Assert.Single(host.Requests);
        Assert.Equal(Routes.ListCallRecords, request.Route);
        Assert.Equal("odata.maxpagesize=120, include-unknown-enum-members", request.Headers["Prefer"]);
    }

    [Fact]
    public async Task AServiceThatCapsThePageSizeNeedsNothingSpecial()
    {
        await using var host = await StartAsync(700, o => o.MaxPageSize = 100);
        var run = Run(host, "Get-CallRecord -Connection $c");
        Assert.Empty(run.Errors);
        TruthAssert.Equal(host.Truth.Records(), run.Objects<CallRecord>().Select(r => r.Id), "a listing with capped pages");
        var lists = Lists(host);
        Assert.Equal((host.Truth.Records().Count + 99) / 100, lists.Count);
        Assert.All(lists, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task AServiceThatRefusesLargePagesIsAskedOnceAndThenGetsItsDefault()
    {
        await using var host = await StartAsync(700, o => { o.MaxPageSize = 60; o.MaxPageSizeMode = PageSizeMode.Refuse; });
        var run = Run(host, "Get-CallRecord -Connection $c -Verbose; 'second'; Get-CallRecord -Connection $c -Verbose");
        Assert.Empty(run.Errors);
        var split = run.Output.Select((o, i) => (o, i)).Single(x => x.o.BaseObject is "second").i;
        var truth = host.Truth.Records();
        TruthAssert.Equal(truth, run.Output.Take(split).Select(o => ((CallRecord)o.BaseObject).Id), "the first listing");
        TruthAssert.Equal(truth, run.Output.Skip(split + 1).Select(o => ((CallRecord)o.BaseObject).Id), "the second listing on the same connection");

        var lists = Lists(host);
        var refused = Assert.Single(lists, r => r.Status == 400);
        Assert.Same(lists[0], refused);
        Assert.Equal("odata.maxpagesize=999, include-unknown-enum-members", refused.Headers["Prefer"]);
        // Every other request, of both listings, asks for Graph's default.
        Assert.All(lists.Skip(1), r => Assert.Equal("include-unknown-enum-members", r.Headers["Prefer"]));
        Assert.All(lists.Skip(1), r => Assert.Equal(200, r.Status));
        Assert.Single(run.Verbose, v => v.Contains("refused a page size of 999", StringComparison.Ordinal) && v.Contains("default page size", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABadRequestThatIsNotAboutThePageSizeStaysAnErrorAndIsNotRemembered()
    {
        await using var host = await StartAsync(100);
        // A filter Graph refuses (endDateTime cannot be filtered): refused with and without the page size.
        var run = Run(host, "Get-CallRecord -Connection $c -Filter \"endDateTime ge 2026-01-01T00:00:00Z\"; Get-CallRecord -Connection $c -First 3");
        Assert.NotEmpty(run.Errors);
        var lists = Lists(host);
        Assert.Equal(2, lists.Count(r => r.Status == 400));
        // The next listing still asks for what it needs: nothing was learned from a 400 about something else.
        Assert.Equal("odata.maxpagesize=3, include-unknown-enum-members", lists[^1].Headers["Prefer"]);
    }

    [Fact]
    public async Task ThrottlesAndOutagesWithoutRetryAfterAreBackedOffAndTheListingIsExact()
    {
        await using var host = await StartAsync(2500);
        host.Control.Faults = new FaultSettings
        {
            Rate = 0.15, Seed = 1919,
            Kinds = new[] { FaultKind.TooManyRequestsNoRetryAfter, FaultKind.ActivityLimitReached, FaultKind.ServiceUnavailableNoRetryAfter },
        };
        var run = Run(host, "$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru -RetryDelay 0.05; Get-CallRecord -Connection $c -PageSize 60");
        Assert.Empty(run.Errors);
        TruthAssert.Equal(host.Truth.Records(), run.Objects<CallRecord>().Select(r => r.Id), "the listing under 15 % faults without Retry-After");
        var faulted = Lists(host).Where(r => r.Fault is not null).ToList();
        // The faults happened, of every kind, and were answered without Retry-After.
        Assert.Contains(faulted, r => r.Fault == FaultKind.TooManyRequestsNoRetryAfter);
        Assert.Contains(faulted, r => r.Fault == FaultKind.ActivityLimitReached);
        Assert.Contains(faulted, r => r.Fault == FaultKind.ServiceUnavailableNoRetryAfter);
        Assert.Equal(Lists(host).Count(r => r.Status == 200), (host.Truth.Records().Count + 59) / 60);
        // Each faulted request was asked again by the page-level retry (a new request with its own client-request-id),
        // not by the SDK's retry handler (which resends the same request with Retry-Attempt, waiting without jitter).
        Assert.DoesNotContain(Lists(host), r => r.Headers.ContainsKey("Retry-Attempt"));
        Assert.Equal(Lists(host).Count, Lists(host).Select(r => r.ClientRequestId).Distinct().Count());

        // Control: a 429 that carries Retry-After is still the SDK handler's to retry.
        host.ClearRequests();
        host.Control.Faults = new FaultSettings { AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.TooManyRequests }, RetryAfterSeconds = 0 };
        Assert.Empty(Run(host, "Get-CallRecord -Connection $c -First 1").Errors);
        var pair = Lists(host);
        Assert.Equal(2, pair.Count);
        Assert.Equal(pair[0].ClientRequestId, pair[1].ClientRequestId);
        Assert.Equal("1", pair[1].Headers["Retry-Attempt"]);
    }

    [Fact]
    public void TheBackoffWithoutRetryAfterIsExponentialWithJitter()
    {
        var policy = new PageRetryPolicy(6, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        var throttled = GraphRequestException.FromResponse(429, "activityLimitReached", "throttled", null, null, new Uri("https://graph.microsoft.com/v1.0/x"), null);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var ceiling = 100 * Math.Pow(2, attempt - 1);
            var delays = Enumerable.Range(0, 200).Select(_ => policy.Delay(attempt, throttled).TotalMilliseconds).ToList();
            Assert.All(delays, d => Assert.InRange(d, ceiling / 2, ceiling));
            Assert.True(delays.Distinct().Count() > 100, "the delays are jittered");
        }
        Assert.True(policy.IsTransient(throttled));
    }

    [Fact]
    public async Task A118DayPstnReadOf60000RowsIsPacedToThePerFunctionLimit()
    {
        // Graph's 50 requests / 60 s per function, scaled to 20 / 2 s on both sides so the test takes seconds (the module
        // learns the scaled ceiling from CALLRECORDS_GRAPH_CEILINGS, read when it connects).
        await using var host = await StartAsync(10, o =>
        {
            o.LogRows = 62_100;
            o.LogDays = 120;
            o.Throttle = true;
            o.ThrottleLimits = ThrottleLimits.Graph() with { PstnPerFunction = new ThrottleLimit(20, TimeSpan.FromSeconds(2)) };
        });
        var before = Environment.GetEnvironmentVariable(RequestCeilings.Variable);
        Environment.SetEnvironmentVariable(RequestCeilings.Variable, "function=20/2");
        try
        {
            var start = _f.Now.AddDays(-118);
            var run = Run(host, "Get-CallRecordPstnCall -Connection $c -StartDateTime $s -EndDateTime $e", ("s", start), ("e", _f.Now));
            Assert.Empty(run.Errors);
            var table = host.Data.PstnCalls;
            var expected = Enumerable.Range(table.LowerBound(start), table.LowerBound(_f.Now) - table.LowerBound(start)).Select(table.Id).ToList();
            Assert.True(expected.Count >= 60_000, $"{expected.Count} rows in the range");
            Assert.Equal(expected, run.Objects<PstnCallLogRow>().Select(r => r.Id));
            var requests = EngineFixture.Requests(host, Routes.GetPstnCalls);
            // Three times the ceiling was needed, and not one request was refused.
            Assert.True(requests.Count >= 60, $"{requests.Count} requests");
            Assert.All(requests, r => Assert.Equal(200, r.Status));
            Assert.DoesNotContain(host.Requests, r => r.Throttled);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RequestCeilings.Variable, before);
        }
    }

    [Fact]
    public async Task GraphsPerFunctionNumbersAreTheModulesDefaultAndEachFunctionHasItsOwnWindow()
    {
        var ceilings = new RequestCeilings();
        Assert.Equal((50, TimeSpan.FromSeconds(60)), (ceilings.PstnFunction.Limit, ceilings.PstnFunction.Window));
        Assert.Equal((200, TimeSpan.FromSeconds(60)), (ceilings.PstnType.Limit, ceilings.PstnType.Window));
        var budget = new RequestBudget(ceilings.With(function: new Ceiling(1, TimeSpan.FromHours(1))));
        const string logs = "https://graph.microsoft.com/v1.0/communications/callRecords/";
        (await budget.AdmitAsync(new Uri(logs + "getPstnCalls(fromDateTime=2026-10-01,toDateTime=2026-10-02)"), default)).Dispose();
        var again = budget.AdmitAsync(new Uri(logs + "getPstnCalls(fromDateTime=2026-10-02,toDateTime=2026-10-03)"), default);
        // Another function is not held by this one's window.
        Assert.True(budget.AdmitAsync(new Uri(logs + "getDirectRoutingCalls(fromDateTime=2026-10-01,toDateTime=2026-10-02)"), default).IsCompleted);
        await Task.Delay(30);
        Assert.False(again.IsCompleted);
    }

    private static readonly Regex ZonedLiteral = new(@"\((fromDateTime|from)=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z,(toDateTime|to)=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z\)");

    [Fact]
    public async Task ADateTimeOfKindUnspecifiedIsSentWithItsZone()
    {
        await using var host = await StartAsync(10, o => { o.LogRows = 3000; o.LogDays = 60; });
        var unspecified = DateTime.SpecifyKind(_f.Now.UtcDateTime.AddDays(-40).AddTicks(1234567), DateTimeKind.Unspecified);
        Assert.Equal(DateTimeKind.Unspecified, unspecified.Kind);
        var run = Run(host, "Get-CallRecordPstnCall -Connection $c -StartDateTime $s; Get-CallRecordDirectRoutingCall -Connection $c -StartDateTime $s -EndDateTime ([datetime]$e)",
            ("s", unspecified), ("e", DateTime.SpecifyKind(_f.Now.UtcDateTime.AddDays(-1), DateTimeKind.Unspecified)));
        Assert.Empty(run.Errors);
        var logs = host.Requests.Where(r => Routes.IsPstnType(r.Route)).ToList();
        Assert.NotEmpty(logs);
        Assert.All(logs, r => Assert.Matches(ZonedLiteral, Uri.UnescapeDataString(r.PathAndQuery)));
        Assert.All(logs, r => Assert.Equal(200, r.Status));
        Assert.Equal("2025-12-31T22:00:00Z", ODataFilter.DateTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(2))));
    }

    [Fact]
    public async Task EvolvableEnumMembersArriveAsTheirRealValues()
    {
        await using var host = await StartAsync(300);
        var id = host.Truth.Records().First(r => host.Data.TryGetIndex(r, out var i) && !host.Data.IsLargeCall(i)
                                                && host.Data.BuildSessions(i).ToJsonString().Contains("\"azureCommunicationServices\"", StringComparison.Ordinal));
        var run = Run(host, "Get-CallRecord -Connection $c -Id $id | Get-CallRecordStream -Connection $c", ("id", id));
        Assert.Empty(run.Errors);
        var streams = run.Objects<CallRecordStream>();
        Assert.Contains(streams, s => s.CallerProductFamily == "azureCommunicationServices" || s.CalleeProductFamily == "azureCommunicationServices");
        Assert.DoesNotContain(streams, s => s.CallerProductFamily == "unknownFutureValue" || s.CalleeProductFamily == "unknownFutureValue");
        Assert.All(host.Requests, r => Assert.Contains("include-unknown-enum-members", r.Headers["Prefer"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheBetaLogColumnsAreFilledOnABetaConnection()
    {
        await using var host = await StartAsync(10, o => { o.LogRows = 800; o.LogDays = 60; });
        var vars = new Dictionary<string, object?> { ["token"] = _f.Token(host), ["endpoint"] = host.BaseAddress, ["s"] = _f.Now.AddDays(-59) };
        var beta = _f.Run("$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -ApiVersion beta -NoDefault -PassThru; " +
                          "Get-CallRecordPstnCall -Connection $c -StartDateTime $s; Get-CallRecordDirectRoutingCall -Connection $c -StartDateTime $s", vars);
        Assert.Empty(beta.Errors);
        var pstn = beta.Objects<PstnCallLogRow>();
        var routing = beta.Objects<DirectRoutingLogRow>();
        Assert.NotEmpty(pstn);
        Assert.NotEmpty(routing);
        Assert.All(pstn, r => Assert.NotNull(r.OtherPartyCountryCode));
        Assert.All(pstn, r => Assert.NotNull(r.ClientPublicIpV4Address));
        Assert.Contains(pstn, r => r.AdministrativeUnitIds.Count > 0);
        Assert.Contains(routing, r => r.TransferorCorrelationId is not null);
        Assert.Contains(routing, r => r.UserCountryCode is not null);
        Assert.All(host.Requests.Where(r => Routes.IsPstnType(r.Route)), r => Assert.StartsWith("/beta/", r.PathAndQuery, StringComparison.Ordinal));

        // The same rows on v1.0 have no beta columns.
        var v1 = Run(host, "Get-CallRecordPstnCall -Connection $c -StartDateTime $s", ("s", _f.Now.AddDays(-59)));
        Assert.Empty(v1.Errors);
        Assert.All(v1.Objects<PstnCallLogRow>(), r => Assert.Null(r.OtherPartyCountryCode));
        Assert.Equal(pstn.Select(r => r.Id), v1.Objects<PstnCallLogRow>().Select(r => r.Id));
    }
}
