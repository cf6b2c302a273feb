using System.Management.Automation;
using CallRecords.Cmdlets;
using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using GraphEmulator.Data;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>The PSTN-type log cmdlets against the emulator's log tables: ranges split into 90-day windows, exact
/// edges, paging, faults, -First, beta routing and concurrency.</summary>
[Collection(EngineCollection.Name)]
public sealed class LogCmdletTests : IDisposable
{
    private readonly EngineFixture _f;

    public LogCmdletTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    public void Dispose()
    {
        _f.Host.Control.ClearFaults();
        _f.Host.Control.ClearHold();
        _f.Host.Control.LatencyMs = 0;
    }

    private static Dictionary<string, object?> Range(DateTimeOffset s, DateTimeOffset e) => new() { ["s"] = s, ["e"] = e };

    /// <summary>Ground truth: the table's rows with a timestamp in [from, to), in order.</summary>
    private static List<string> Expected(LogTable t, DateTimeOffset from, DateTimeOffset to) =>
        Enumerable.Range(t.LowerBound(from), Math.Max(0, t.LowerBound(to) - t.LowerBound(from))).Select(t.Id).ToList();

    private static IReadOnlyList<RequestLogEntry> Log(EmulatorHost host, string route) => host.Requests.Where(r => r.Route == route).ToList();

    [Theory]
    [InlineData("Get-CallRecordPstnCall")]
    [InlineData("Get-CallRecordDirectRoutingCall")]
    public void TwoHundredDaysReturnExactlyTheEmulatorsRowsOnceEachInTimeOrder(string cmdlet)
    {
        var pstn = cmdlet == "Get-CallRecordPstnCall";
        var table = pstn ? _f.Host.Data.PstnCalls : _f.Host.Data.DirectRoutingCalls;
        var route = pstn ? Routes.GetPstnCalls : Routes.GetDirectRoutingCalls;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;
        var expected = Expected(table, start, end);
        Assert.True(expected.Count > 2000, "the range must need several pages");

        var run = _f.Run($"{cmdlet} -StartDateTime $s -EndDateTime $e", Range(start, end));

        Assert.Empty(run.Errors);
        var ids = pstn ? run.Objects<PstnCallLogRow>().Select(r => r.Id).ToList() : run.Objects<DirectRoutingLogRow>().Select(r => r.Id).ToList();
        TruthAssert.Equal(expected, ids, "rows of 200 days");
        var requests = EngineFixture.Requests(_f.Host, route);
        // Three windows (90 + 90 + 20 days), each paged by 1,000; never a refused range.
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.DoesNotContain(requests, r => r.Status == 406);
        Assert.Equal(3, requests.Count(r => !r.PathAndQuery.Contains("$skip=", StringComparison.Ordinal)));
        Assert.Contains(requests, r => r.PathAndQuery.Contains("(from=", StringComparison.Ordinal)); // nextLinks followed as returned
    }

    /// <summary>Two rows exactly 90 days apart: the range starts on the first, so the window edge lies exactly on the
    /// second; the range ends exactly on a third row (excluded, like every row at the end).</summary>
    [Theory]
    [InlineData("Get-CallRecordPstnCall")]
    [InlineData("Get-CallRecordDirectRoutingCall")]
    public void WindowEdgesAndRangeEndsOnExactRowTimestamps(string cmdlet)
    {
        var pstn = cmdlet == "Get-CallRecordPstnCall";
        var table = pstn ? _f.Host.Data.PstnCalls : _f.Host.Data.DirectRoutingCalls;
        var first = -1;
        var edge = -1;
        var byTicks = new Dictionary<long, int>();
        for (var i = table.Count - 1; i >= 0; i--) byTicks[table.Timestamp(i).UtcTicks] = i; // first index per time
        for (var i = 0; i < table.Count && first < 0; i++)
        {
            if (i > 0 && table.Timestamp(i - 1) == table.Timestamp(i)) continue;
            if (byTicks.TryGetValue(table.Timestamp(i).AddDays(90).UtcTicks, out var j)) (first, edge) = (i, j);
        }
        Assert.True(first >= 0, "the data set must hold two rows exactly 90 days apart");
        var start = table.Timestamp(first);
        var boundary = table.Timestamp(edge);
        var last = Enumerable.Range(edge + 1, table.Count - edge - 1).FirstOrDefault(k => table.Timestamp(k) > boundary.AddDays(1) && table.Timestamp(k) == table.Timestamp(k - 1));
        if (last == 0) last = table.Count - 1;
        var end = table.Timestamp(last);
        var expected = Expected(table, start, end);
        var atEdge = Enumerable.Range(edge, table.UpperBound(boundary) - edge).Select(table.Id).ToList();
        var atEnd = Enumerable.Range(table.LowerBound(end), table.UpperBound(end) - table.LowerBound(end)).Select(table.Id).ToList();

        var run = _f.Run($"{cmdlet} -FromDateTime $s -ToDateTime $e", Range(start, end));

        Assert.Empty(run.Errors);
        var ids = pstn ? run.Objects<PstnCallLogRow>().Select(r => r.Id).ToList() : run.Objects<DirectRoutingLogRow>().Select(r => r.Id).ToList();
        Assert.Equal(expected, ids);
        Assert.Equal(table.Id(first), ids[0]);
        Assert.All(atEdge, id => Assert.Single(ids, id));
        Assert.All(atEnd, id => Assert.DoesNotContain(id, ids));
        var requests = EngineFixture.Requests(_f.Host, pstn ? Routes.GetPstnCalls : Routes.GetDirectRoutingCalls);
        Assert.DoesNotContain(requests, r => r.Status == 406);
    }

    [Fact]
    public void EmptyWindowsBeforeTheDataAndAnEmptyRangeAreFine()
    {
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-365); // two whole windows before the first row (the log spans 180 days)
        var end = _f.Now.AddDays(-100);
        var expected = Expected(table, start, end);
        Assert.True(expected.Count > 0);

        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e", Range(start, end));

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Objects<PstnCallLogRow>().Select(r => r.Id));
        Assert.Equal(3, Log(_f.Host, Routes.GetPstnCalls).Count(r => !r.PathAndQuery.Contains("$skip", StringComparison.Ordinal)));

        var empty = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e", Range(_f.Now.AddDays(-900), _f.Now.AddDays(-800)));
        Assert.Empty(empty.Errors);
        Assert.Empty(empty.Output);
    }

    [Fact]
    public void APageFailingEveryAttemptInTheMiddleOfAWindowIsAnErrorNotAShorterResult()
    {
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;
        var firstWindow = Expected(table, start, start.AddDays(90));
        Assert.InRange(firstWindow.Count, 1001, 2000); // two pages, so request 4 is page 2 of the second window
        Assert.True(Expected(table, start.AddDays(90), start.AddDays(180)).Count > 2000);
        _f.Host.Control.Faults = new FaultSettings
        {
            AtRequests = new Dictionary<long, FaultKind> { [4] = FaultKind.ConnectionReset, [5] = FaultKind.ConnectionReset, [6] = FaultKind.ConnectionReset, [7] = FaultKind.ConnectionReset },
        };

        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e -ThrottleLimit 1", Range(start, end));

        Assert.True(run.Errors.Count == 1, string.Join("\n", _f.Host.Requests.Select(r => $"{r.Number} {r.Status} {r.Fault} {r.PathAndQuery}")));
        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable,CallRecords.Cmdlets.GetCallRecordPstnCallCommand", error.FullyQualifiedErrorId);
        Assert.Contains("after 4 attempts", error.ErrorDetails.Message, StringComparison.Ordinal);
        var ids = run.Objects<PstnCallLogRow>().Select(r => r.Id).ToList();
        Assert.Equal(Expected(table, start, end).Take(firstWindow.Count + 1000), ids);
        Assert.Equal(7, EngineFixture.Count(_f.Host, Routes.GetPstnCalls)); // the default -MaxRetry 3: four attempts
    }

    [Fact]
    public void AFaultSurvivingRetriesWhileWindowsRunConcurrentlyIsAnErrorAndTheOutputAGaplessPrefix()
    {
        var table = _f.Host.Data.DirectRoutingCalls;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;
        var expected = Expected(table, start, end);
        Assert.True(Expected(table, start, start.AddDays(90)).Count > 1000, "window 1 must have a second page");
        // The three windows' first pages are held until all three are in flight, so they are requests 1 to 3 and
        // succeed; every later request (page 2 of windows 1 and 2, and all their retries) fails. Window 1's page 2
        // failing ends the run: what was written must be exactly window 1's first page, with nothing from windows
        // 2 and 3 although their pages came back.
        var hold = _f.Host.Control.Hold(Routes.GetDirectRoutingCalls, releaseAt: 3);
        _f.Host.Control.Faults = new FaultSettings
        {
            AtRequests = Enumerable.Range(4, 60).ToDictionary(n => (long)n, _ => FaultKind.ConnectionReset),
        };

        var run = _f.Run("Get-CallRecordDirectRoutingCall -StartDateTime $s -EndDateTime $e -ThrottleLimit 3", Range(start, end));

        Assert.True(hold.Reached, hold.ToString());
        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable,CallRecords.Cmdlets.GetCallRecordDirectRoutingCallCommand", error.FullyQualifiedErrorId);
        TruthAssert.Equal(expected.Take(1000), run.Objects<DirectRoutingLogRow>().Select(r => r.Id), "rows before the page that failed");
        var windowStarts = EngineFixture.Requests(_f.Host, Routes.GetDirectRoutingCalls).Where(r => r.Status == 200 && !r.PathAndQuery.Contains("$skip", StringComparison.Ordinal));
        Assert.Equal(3, windowStarts.Count()); // windows 2 and 3 were read, and still not written
    }

    [Fact]
    public void ThrottledRequestsAreRetriedAndTheResultIsComplete()
    {
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;
        _f.Host.Control.Faults = new FaultSettings
        {
            AtRequests = new Dictionary<long, FaultKind> { [2] = FaultKind.TooManyRequests, [3] = FaultKind.TooManyRequests },
            RetryAfterSeconds = 1,
        };

        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e -ThrottleLimit 3", Range(start, end));

        Assert.Empty(run.Errors);
        Assert.Equal(Expected(table, start, end), run.Objects<PstnCallLogRow>().Select(r => r.Id));
        Assert.Equal(2, EngineFixture.Requests(_f.Host, Routes.GetPstnCalls).Count(r => r.Status == 429));
    }

    [Fact]
    public void FirstTenSendsOneRequest()
    {
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;

        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e -First 10", Range(start, end));

        Assert.Empty(run.Errors);
        Assert.Equal(Expected(table, start, end).Take(10), run.Objects<PstnCallLogRow>().Select(r => r.Id));
        Assert.Equal(1, EngineFixture.Count(_f.Host, Routes.GetPstnCalls));
    }

    [Fact]
    public void IncludeTotalCountReportsTheRowsOfTheWholeRange()
    {
        var table = _f.Host.Data.SmsLogs;
        var start = _f.Now.AddDays(-100);
        var end = _f.Now.AddDays(-5);

        var run = _f.Run("Get-CallRecordSmsLog -StartDateTime $s -EndDateTime $e -IncludeTotalCount -Skip 5", Range(start, end));

        Assert.Empty(run.Errors);
        var expected = Expected(table, start, end);
        Assert.Equal(expected.Skip(5), run.Objects<SmsLogRow>().Select(r => r.Id));
        // Like Get-CallRecord: the total first, with its accuracy. Graph's @odata.count on the log functions counts one
        // response, not the range, so the total is unknown before the rows (accuracy 0).
        Assert.Equal(0UL, Assert.IsType<ulong>(run.Output[0].BaseObject));
        Assert.Contains(run.Output[0].Members, m => m.Name == "ToString"); // PowerShell's total-count object (accuracy 0: "Unknown total count")
        Assert.IsType<SmsLogRow>(run.Output[1].BaseObject);
    }

    [Fact]
    public void SkipAndFirstAcrossAWindowEdgeReadWindowsInOrder()
    {
        var table = _f.Host.Data.DirectRoutingCalls;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;
        var expected = Expected(table, start, end);
        var firstWindow = Expected(table, start, start.AddDays(90)).Count;

        var run = _f.Run("Get-CallRecordDirectRoutingCall -StartDateTime $s -EndDateTime $e -Skip $k -First 20",
            new Dictionary<string, object?> { ["s"] = start, ["e"] = end, ["k"] = firstWindow - 10 });

        Assert.Empty(run.Errors);
        Assert.Equal(expected.Skip(firstWindow - 10).Take(20), run.Objects<DirectRoutingLogRow>().Select(r => r.Id));
        // Window 1's pages, then only the first page of window 2.
        Assert.Equal((firstWindow + 999) / 1000 + 1, EngineFixture.Count(_f.Host, Routes.GetDirectRoutingCalls));
    }

    [Fact]
    public void ConcurrencyStaysWithinTheThrottleLimitAndOutputStaysInOrder()
    {
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-720); // 8 windows
        var end = _f.Now;
        _f.Host.Control.LatencyMs = 20;
        // Answered only once two windows are in flight together: proof of the parallelism, whatever the timing.
        var hold = _f.Host.Control.Hold(Routes.GetPstnCalls, releaseAt: 2);

        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e -ThrottleLimit 2", Range(start, end));

        Assert.Empty(run.Errors);
        Assert.True(hold.Reached, hold.ToString());
        TruthAssert.Equal(Expected(table, start, end), run.Objects<PstnCallLogRow>().Select(r => r.Id), "rows of 8 windows");
        Assert.Equal(2, _f.Host.Control.InFlightOf(Routes.GetPstnCalls).Max);
    }

    [Fact]
    public void BetaLogsGoToBetaOnAV1Connection()
    {
        var data = _f.Host.Data;
        var start = _f.Now.AddDays(-200);
        var end = _f.Now;

        var sms = _f.Run("Get-CallRecordSmsLog -StartDateTime $s -EndDateTime $e", Range(start, end));
        var blocked = _f.Run("Get-CallRecordPstnBlockedUserLog -StartDateTime $s -EndDateTime $e", Range(start, end));
        var dialout = _f.Run("Get-CallRecordPstnDialoutReport -StartDateTime $s -EndDateTime $e", Range(start, end));

        Assert.Empty(sms.Errors);
        Assert.Empty(blocked.Errors);
        Assert.Empty(dialout.Errors);
        Assert.Equal(Expected(data.SmsLogs, start, end), sms.Objects<SmsLogRow>().Select(r => r.Id));
        var blockedRows = blocked.Objects<PstnBlockedUsersLogRow>();
        var expectedBlocked = Expected(data.PstnBlockedUsers, start, end);
        Assert.Equal(expectedBlocked.Count, blockedRows.Count);
        Assert.Equal(
            Enumerable.Range(data.PstnBlockedUsers.LowerBound(start), expectedBlocked.Count).Select(i => data.PstnBlockedUsers.BuildRow(i)["remediationId"]!.GetValue<string>()),
            blockedRows.Select(r => r.RemediationId));
        var dialoutRows = dialout.Objects<PstnOnlineMeetingDialoutReport>();
        var dialoutTable = data.PstnOnlineMeetingDialoutReport;
        var dialoutExpected = Enumerable.Range(dialoutTable.LowerBound(start), Expected(dialoutTable, start, end).Count).Select(i => dialoutTable.BuildRow(i)).ToList();
        Assert.Equal(dialoutExpected.Count, dialoutRows.Count);
        // The report has no id: each aggregate row, in order, by what identifies it.
        Assert.Equal(dialoutExpected.Select(j => (j["userId"]?.GetValue<string>(), j["destinationContext"]?.GetValue<string>(), j["totalCalls"]?.GetValue<int>(), j["totalCallSeconds"]?.GetValue<int>())),
            dialoutRows.Select(r => (r.UserId, r.DestinationContext, r.TotalCalls, r.TotalCallSeconds)));
        Assert.All(dialoutRows, r => Assert.True(r.ReportEndDateTime - r.ReportStartDateTime <= TimeSpan.FromDays(90)));

        foreach (var route in new[] { Routes.GetSmsLog, Routes.GetPstnBlockedUsersLog, Routes.GetPstnOnlineMeetingDialoutReport })
        {
            var requests = Log(_f.Host, route);
            Assert.NotEmpty(requests);
            Assert.All(requests, r => Assert.StartsWith("/beta/", r.PathAndQuery, StringComparison.Ordinal));
            Assert.All(requests, r => Assert.Equal(200, r.Status));
        }
    }

    [Fact]
    public void RowsAreTypedAsGraphSendsThem()
    {
        var table = _f.Host.Data.DirectRoutingCalls;
        var start = _f.Now.AddDays(-60);
        var end = _f.Now.AddDays(-50);
        var run = _f.Run("Get-CallRecordDirectRoutingCall -StartDateTime $s -EndDateTime $e", Range(start, end));
        Assert.Empty(run.Errors);
        var rows = run.Objects<DirectRoutingLogRow>();
        TruthAssert.Equal(Expected(table, start, end), rows.Select(r => r.Id), "direct routing rows");
        Assert.Contains(rows, r => r.SuccessfulCall == true);
        Assert.Contains(rows, r => r.SuccessfulCall == false);
        foreach (var (row, i) in rows.Select((r, k) => (r, table.LowerBound(start) + k)))
        {
            var json = table.BuildRow(i);
            Assert.Equal(json["id"]!.GetValue<string>(), row.Id);
            Assert.Equal(TimeSpan.FromSeconds(json["duration"]!.GetValue<int>()), row.Duration);
            Assert.Equal(table.Timestamp(i), row.StartDateTime);
            if (row.SuccessfulCall == true) Assert.Null(row.FailureDateTime);
            else Assert.Equal(DateTimeOffset.Parse(json["failureDateTime"]!.GetValue<string>()), row.FailureDateTime);
        }

        var pstn = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e", Range(start, end)).Objects<PstnCallLogRow>();
        var pstnTable = _f.Host.Data.PstnCalls;
        TruthAssert.Equal(Expected(pstnTable, start, end), pstn.Select(r => r.Id), "PSTN rows");
        foreach (var (row, i) in pstn.Select((r, k) => (r, pstnTable.LowerBound(start) + k)))
        {
            var json = pstnTable.BuildRow(i);
            Assert.Equal(json["charge"]!.GetValue<decimal>(), row.Charge);
            Assert.Equal(json["connectionCharge"]!.GetValue<decimal>(), row.ConnectionCharge);
            Assert.Equal("USD", row.Currency);
        }
        Assert.Contains(pstn, r => r.Charge > 0);
    }

    [Fact]
    public void UserPrincipalNameFiltersClientSideWithWildcards()
    {
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-100);
        var end = _f.Now;
        var upn = table.BuildRow(table.LowerBound(start))["userPrincipalName"]!.GetValue<string>();
        var prefix = upn[..(upn.IndexOf('@') - 1)];
        var expected = Enumerable.Range(table.LowerBound(start), table.LowerBound(end) - table.LowerBound(start))
            .Where(i => table.BuildRow(i)["userPrincipalName"]!.GetValue<string>().StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(table.Id).ToList();

        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e -UserPrincipalName $p",
            new Dictionary<string, object?> { ["s"] = start, ["e"] = end, ["p"] = prefix.ToUpperInvariant() + "*" });

        Assert.Empty(run.Errors);
        Assert.Contains(upn, run.Objects<PstnCallLogRow>().Select(r => r.UserPrincipalName));
        Assert.Equal(expected, run.Objects<PstnCallLogRow>().Select(r => r.Id));
    }

    [Fact]
    public void ProgressPerWindowAndPageUnlessSilenced()
    {
        var script = "Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep; Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e | Out-Null";
        List<ProgressRecord> Progress(string preference, bool interactive = true)
        {
            // A host with a UI: the module writes no progress in a non-interactive one.
            var run = HostedShell.Invoke(script, new Dictionary<string, object?>
            {
                ["ProgressPreference"] = Enum.Parse<ActionPreference>(preference),
                ["t"] = _f.Token(), ["ep"] = _f.Host.BaseAddress, ["s"] = _f.Now.AddDays(-200), ["e"] = _f.Now,
            }, interactive ? TestHost.Interactive() : null);
            Assert.Empty(run.Errors);
            return run.Progress.ToList();
        }

        // One step per page is checked: the 5-per-second limit is off for this (ProgressRateTests checks it).
        ProgressThrottle.IntervalOverride = TimeSpan.Zero;
        List<ProgressRecord> shown;
        try
        {
            shown = Progress("Continue");
        }
        finally
        {
            ProgressThrottle.IntervalOverride = null;
        }
        var pages = shown.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        var table = _f.Host.Data.PstnCalls;
        var expectedPages = Enumerable.Range(0, 3)
            .Sum(w => Math.Max(1, (table.UpperBound(_f.Now.AddDays(-200 + 90 * w + (w == 2 ? 20 : 90))) - table.LowerBound(_f.Now.AddDays(-200 + 90 * w)) + 999) / 1000));
        Assert.Equal(expectedPages, pages.Count); // one per page of each of the three windows
        Assert.Contains(pages, p => p.CurrentOperation.StartsWith("window 3 of 3", StringComparison.Ordinal));
        // The same activity id and wording as every list of the module, and the rows counted.
        Assert.All(pages, p => Assert.Equal(0x4352_0004, p.ActivityId));
        Assert.Matches(@"^\d+ records read in \d+ pages? \(", pages[^1].StatusDescription);
        Assert.Contains(shown, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Empty(Progress("SilentlyContinue"));
        Assert.Empty(Progress("Continue", interactive: false)); // the engine's Default Host has no UI
    }
}
