using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using CallRecords.PS.Tests.Identity;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using GraphEmulator.Identity;
using Xunit;
using Xunit.Abstractions;

namespace CallRecords.PS.Tests.Resilience;

/// <summary>
/// The fault suite: the same three reads (Get-CallRecord list, Get-CallRecord -ExpandSession by id, and
/// Get-CallRecordPstnCall over 180 days) once clean and once with 10 % of Graph requests faulted with every kind
/// (deterministic seed) while tokens expire every 3 seconds. The faulted run must stream exactly the clean run's set
/// of (id, version): nothing lost, nothing duplicated. Retry-After and backoff are scaled down so it stays fast. The
/// figures go to TestResults/fault-suite.txt (docs/reliability.md quotes one run).
/// </summary>
public sealed class FaultSuiteTests : IAsyncLifetime
{
    private const int ListRecords = 20_000;
    private const int ExpandRecords = 300;
    private readonly ITestOutputHelper _out;
    private EmulatorHost _host = null!;
    private InitialSessionState _state = null!;

    public FaultSuiteTests(ITestOutputHelper output) => _out = output;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        _host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            Seed = 41, Records = ListRecords, Days = 25, LogRows = 5000, LogDays = 180,
            Now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero),
            Throttle = false, Identity = true, CaOut = IdentityTestServer.TrustFile,
        });
        _state = InitialSessionState.CreateDefault2();
        _state.ImportPSModule(new[] { EngineFixture.ModuleManifest });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed record Reads(List<(string Id, long Version)> List, List<(string Id, long Version, int Sessions)> Expanded, List<string> Pstn,
        IReadOnlyList<ErrorRecord> Errors, int PageRetryMessages);

    private Reads ReadEverything(string clientId, string secret)
    {
        using var ps = PowerShell.Create(_state);
        var s = ps.Runspace.SessionStateProxy;
        s.SetVariable("tenant", _host.Options.TenantId);
        s.SetVariable("client", clientId);
        s.SetVariable("secret", EngineFixture.Secure(secret));
        s.SetVariable("graph", _host.BaseAddress);
        s.SetVariable("authority", _host.Identity!.AuthorityHost);
        s.SetVariable("ids", _host.Data.Records.Take(ExpandRecords).Select(r => r.Id).ToArray());
        s.SetVariable("from", _host.Now.AddDays(-180));
        s.SetVariable("to", _host.Now);
        ps.AddScript("""
            $c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret -GraphEndpoint $graph -AuthorityHost $authority -MaxRetry 6 -RetryDelay 0.02 -NoDefault -PassThru
            $list = @(Get-CallRecord -Connection $c -PageSize 999 -Debug)
            $expanded = @($ids | Get-CallRecord -Connection $c -ExpandSession -Debug)
            $pstn = @(Get-CallRecordPstnCall -Connection $c -StartDateTime $from -EndDateTime $to -Verbose)
            [pscustomobject]@{ List = $list; Expanded = $expanded; Pstn = $pstn }
            """);
        var result = ps.Invoke();
        var bag = Assert.Single(result);
        T[] Items<T>(string name) => ((object[])bag.Properties[name].Value).Select(o => o is PSObject p ? p.BaseObject : o).Cast<T>().ToArray();
        var retries = ps.Streams.Debug.Count(d => d.Message.StartsWith("Page retry:", StringComparison.Ordinal))
            + ps.Streams.Verbose.Count(v => v.Message.Contains("retrying", StringComparison.Ordinal));
        return new Reads(
            Items<CallRecord>("List").Select(r => (r.Id, r.Version)).ToList(),
            Items<CallRecord>("Expanded").Select(r => (r.Id, r.Version, r.Sessions?.Count ?? -1)).ToList(),
            Items<PstnCallLogRow>("Pstn").Select(r => r.Id).ToList(),
            ps.Streams.Error.ToList(), retries);
    }

    [Fact]
    public void TenPercentFaultsOfEveryKindAndExpiringTokensLoseAndDuplicateNothing()
    {
        var secret = "s3cr3t~" + Guid.NewGuid().ToString("N");
        var app = new RegisteredApp(_host.Options.TenantId, Guid.NewGuid().ToString(), secret, null, [IdentityTestServer.CallRecordsRole], null);
        _host.Identity!.RegisterApp(app);

        var clean = ReadEverything(app.ClientId, secret);
        Assert.Empty(clean.Errors);
        Assert.Equal(ListRecords, clean.List.Count);
        TruthAssert.Equal(_host.Truth.Records(), clean.List.Select(r => r.Id), "the clean listing");
        TruthAssert.Equal(_host.Data.Records.Take(ExpandRecords).Select(r => r.Id), clean.Expanded.Select(r => r.Id), "the clean expansions");
        Assert.Equal(_host.Data.Records.Take(ExpandRecords).Select(r => _host.Truth.Sessions(r.Id)!.Count), clean.Expanded.Select(r => r.Sessions));
        var pstnTable = _host.Data.PstnCalls;
        var pstnFrom = pstnTable.LowerBound(_host.Now.AddDays(-180));
        TruthAssert.Equal(Enumerable.Range(pstnFrom, pstnTable.LowerBound(_host.Now) - pstnFrom).Select(pstnTable.Id), clean.Pstn, "the clean PSTN rows");
        Assert.True(clean.Pstn.Count > 1000, $"{clean.Pstn.Count} PSTN rows");
        var cleanRequests = _host.Requests.Count;

        _host.ClearRequests();
        _host.Control.ResetCounters();
        var tokensBefore = _host.Identity.TokenRequests.Count(t => t.ClientId == app.ClientId);
        _host.Identity.TokenLifetime = TimeSpan.FromSeconds(3);
        _host.Control.Faults = new FaultSettings
        {
            Rate = 0.10, Seed = 20260301, RetryAfterSeconds = 0, SlowBodyChunkDelayMs = 5, SlowBodyChunks = 4,
            Kinds = Enum.GetValues<FaultKind>(),
        };
        var clock = Stopwatch.StartNew();
        Reads faulted;
        try
        {
            faulted = ReadEverything(app.ClientId, secret);
        }
        finally
        {
            _host.Control.ClearFaults();
            _host.Identity.TokenLifetime = TimeSpan.FromHours(1);
        }
        clock.Stop();

        var requests = _host.Requests;
        var byKind = Enum.GetValues<FaultKind>().ToDictionary(k => k, k => requests.Count(r => r.Fault == k));
        var tokens = _host.Identity.TokenRequests.Count(t => t.ClientId == app.ClientId) - tokensBefore;
        var unauthorized = requests.Count(r => r.Status == 401);
        // The SDK's retry handler takes the 429s and 503s that carry Retry-After; the rest go to the page level.
        var sdkRetries = byKind[FaultKind.TooManyRequests] + byKind[FaultKind.ServiceUnavailable];

        var records = faulted.List.Count + faulted.Expanded.Count + faulted.Pstn.Count;
        var lost = clean.List.Except(faulted.List).Count() + clean.Expanded.Select(e => (e.Id, e.Version)).Except(faulted.Expanded.Select(e => (e.Id, e.Version))).Count()
            + clean.Pstn.Except(faulted.Pstn).Count();
        var duplicated = faulted.List.Count - faulted.List.Distinct().Count() + faulted.Expanded.Count - faulted.Expanded.Distinct().Count()
            + faulted.Pstn.Count - faulted.Pstn.Distinct().Count();
        var figures = string.Join(Environment.NewLine, new[]
        {
            $"date: {DateTimeOffset.UtcNow:u}",
            $"records streamed (faulted run): {records} (list {faulted.List.Count}, -ExpandSession {faulted.Expanded.Count}, PSTN {faulted.Pstn.Count})",
            $"Graph requests (faulted run): {requests.Count} (clean run: {cleanRequests})",
            $"faults injected: {byKind.Values.Sum()} — " + string.Join(", ", byKind.Select(k => $"{k.Key} {k.Value}")),
            $"retries: {sdkRetries + faulted.PageRetryMessages} (SDK retry handler, one per 429/503 with Retry-After: {sdkRetries}; page level, resets, broken bodies and 429/503/504 without Retry-After: {faulted.PageRetryMessages}; slow bodies completed without a retry)",
            $"token requests during the faulted run (3 s lifetime): {tokens}; 401 answers: {unauthorized}",
            $"lost: {lost}; duplicated: {duplicated}; errors: {faulted.Errors.Count}",
            $"wall time (faulted run): {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        });
        _out.WriteLine(figures);
        var dir = Path.Combine(EngineFixture.RepoRoot, "TestResults");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "fault-suite.txt"), figures + Environment.NewLine);

        Assert.Empty(faulted.Errors.Select(e => e.ToString()));
        TruthAssert.Equal(_host.Truth.Records(), faulted.List.Select(r => r.Id), "the faulted listing");
        Assert.Equal(clean.List, faulted.List); // the same versions too
        Assert.Equal(clean.Expanded, faulted.Expanded);
        Assert.Equal(clean.Pstn, faulted.Pstn);
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.True(records >= ListRecords);
        // Every kind was injected, and tokens really expired during the run.
        Assert.All(byKind, k => Assert.True(k.Value > 0, $"no {k.Key} fault was injected"));
        Assert.True(tokens >= 2, $"expected token refreshes during the run, saw {tokens}");
        // Each reset or truncated body, and each 429/503/504 without Retry-After (left to the page level's jittered
        // backoff), cost exactly one page-level retry (none gave up, none retried twice for one fault).
        Assert.Equal(byKind[FaultKind.ConnectionReset] + byKind[FaultKind.TruncatedBody] + byKind[FaultKind.GatewayTimeout] + byKind[FaultKind.TooManyRequestsNoRetryAfter]
                     + byKind[FaultKind.ActivityLimitReached] + byKind[FaultKind.ServiceUnavailableNoRetryAfter], faulted.PageRetryMessages);
        Assert.Equal(cleanRequests + byKind.Values.Sum() - byKind[FaultKind.SlowBody], requests.Count);
    }
}
