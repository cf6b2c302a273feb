using System.Management.Automation;
using CallRecords.Cmdlets;
using CallRecords.Models;
using GraphEmulator;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// Write-Progress for per-record work (Get-CallRecord -Expand*, Get-CallRecordSession/-Segment/-Participant/-Stream):
/// one step per input in output order naming it, the request count, "n of total" only when the ids were given as a
/// parameter, and a completed bar at the end. Counts come from the emulator's ground truth and request counters.
/// Every step is checked, so the 5-per-second limit (ProgressThrottle) is off here; ProgressRateTests checks it.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ExpansionProgressTests : IDisposable
{
    private const int ExpandActivity = 0x4352_0002;
    private const int FanOutActivity = 0x4352_0003;
    private readonly EngineFixture _f;

    public ExpansionProgressTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
        ProgressThrottle.IntervalOverride = TimeSpan.Zero;
    }

    public void Dispose() => ProgressThrottle.IntervalOverride = null;

    private List<string> Ids(int skip, int take) => _f.Retained().Skip(skip).Take(take).Select(r => r.Id).ToList();

    private long AllRequests() => _f.Host.Control.RouteCounters.Values.Sum();

    private static List<ProgressRecord> Steps(StreamsRun run, int activity) =>
        run.Progress.Where(p => p.ActivityId == activity && p.RecordType == ProgressRecordType.Processing).ToList();

    private static void AssertCompletedLast(StreamsRun run, int activity)
    {
        var bar = run.Progress.Where(p => p.ActivityId == activity).ToList();
        Assert.Equal(ProgressRecordType.Completed, bar[^1].RecordType);
        Assert.Single(bar, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void ListExpansionCountsRecordsAndRequestsWithoutATotal()
    {
        var records = _f.Retained().Where(r => r.StartDateTime >= _f.Now.AddDays(-3) && r.StartDateTime < _f.Now.AddDays(-2)).ToList();
        Assert.True(records.Count > 3, "the window must hold several records");
        var run = HostedShell.Invoke("Get-CallRecord -StartDateTime $s -EndDateTime $e -ExpandSession -ThrottleLimit 4",
            new Dictionary<string, object?> { ["s"] = _f.Now.AddDays(-3), ["e"] = _f.Now.AddDays(-2) }, TestHost.Interactive());

        Assert.Empty(run.Errors);
        Assert.Equal(records.Select(r => r.Id), run.Objects<CallRecord>().Select(r => r.Id));
        var steps = Steps(run, ExpandActivity);
        Assert.Equal(records.Select(r => "call record " + r.Id), steps.Select(p => p.CurrentOperation));
        Assert.Equal("Get-CallRecord: reading sessions and segments per call record", steps[0].Activity);
        Assert.StartsWith("1 call records expanded, ", steps[0].StatusDescription);
        // The last step: every record, and every request of the run (list pages and per-record GETs with their pages).
        Assert.StartsWith($"{records.Count} call records expanded, {AllRequests()} requests (", steps[^1].StatusDescription);
        Assert.EndsWith(" per second)", steps[^1].StatusDescription);
        Assert.All(steps, p => Assert.Equal(-1, p.PercentComplete)); // the listing's total is unknown
        AssertCompletedLast(run, ExpandActivity);
        // The listing's own bar is still there, separately.
        Assert.Contains(run.Progress, p => p.ActivityId == 0x4352_0001);
    }

    [Fact]
    public void IdsAsAParameterShowNOfTotalAndPercent()
    {
        var ids = Ids(10, 3);
        var run = HostedShell.Invoke("Get-CallRecord -Id $a, 'd9f0a3e1-0000-4000-8000-000000000000', $b, $c -ExpandParticipant",
            new Dictionary<string, object?> { ["a"] = ids[0], ["b"] = ids[1], ["c"] = ids[2] }, TestHost.Interactive());

        Assert.Equal(ids, run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Single(run.Errors); // the unknown id, non-terminating
        var steps = Steps(run, ExpandActivity);
        Assert.Equal(new[] { 25, 50, 75, 100 }, steps.Select(p => p.PercentComplete));
        Assert.Equal(new[] { ids[0], "d9f0a3e1-0000-4000-8000-000000000000", ids[1], ids[2] }.Select(i => "call record " + i), steps.Select(p => p.CurrentOperation));
        Assert.StartsWith("1 of 4 call records expanded, ", steps[0].StatusDescription);
        Assert.StartsWith($"4 of 4 call records expanded, {AllRequests()} requests (", steps[^1].StatusDescription);
        Assert.Equal("Get-CallRecord: reading participants per call record", steps[0].Activity);
        AssertCompletedLast(run, ExpandActivity);
    }

    [Fact]
    public void PipedIdsKeepOneBarAcrossInputsWithoutATotal()
    {
        var ids = Ids(20, 4);
        var run = HostedShell.Invoke("$ids | Get-CallRecord -ExpandSession", new Dictionary<string, object?> { ["ids"] = ids.ToArray() }, TestHost.Interactive());

        Assert.Empty(run.Errors);
        var steps = Steps(run, ExpandActivity);
        Assert.Equal(Enumerable.Range(1, 4).Select(n => $"{n} call records expanded"), steps.Select(p => p.StatusDescription.Split(", ")[0]));
        Assert.All(steps, p => Assert.Equal(-1, p.PercentComplete));
        Assert.StartsWith($"4 call records expanded, {AllRequests()} requests (", steps[^1].StatusDescription);
        AssertCompletedLast(run, ExpandActivity);
    }

    [Fact]
    public void GetByIdWithoutExpansionShowsNoExpansionBar()
    {
        var run = HostedShell.Invoke("Get-CallRecord -Id $id", new Dictionary<string, object?> { ["id"] = Ids(0, 1)[0] }, TestHost.Interactive());
        Assert.Single(run.Output);
        Assert.DoesNotContain(run.Progress, p => p.ActivityId == ExpandActivity);
    }

    [Fact]
    public void PipedRecordsIntoSessionsCountEveryRecordIncludingOnesWithAnError()
    {
        var ids = Ids(30, 5);
        var input = ids.Take(2).Append("d9f0a3e1-0000-4000-8000-000000000001").Concat(ids.Skip(2)).ToArray();
        var run = HostedShell.Invoke("$ids | Get-CallRecordSession", new Dictionary<string, object?> { ["ids"] = input }, TestHost.Interactive());

        Assert.Single(run.Errors);
        var steps = Steps(run, FanOutActivity);
        Assert.Equal(input.Select(i => "call record " + i), steps.Select(p => p.CurrentOperation));
        Assert.Equal("Get-CallRecordSession: call records read", steps[0].Activity);
        Assert.StartsWith($"6 call records read, {AllRequests()} requests (", steps[^1].StatusDescription);
        Assert.All(steps, p => Assert.Equal(-1, p.PercentComplete));
        AssertCompletedLast(run, FanOutActivity);
    }

    [Fact]
    public void StreamIdsAsAParameterShowNOfTotal()
    {
        var ids = Ids(40, 3);
        var run = HostedShell.Invoke("Get-CallRecordStream -CallRecordId $ids", new Dictionary<string, object?> { ["ids"] = ids.ToArray() }, TestHost.Interactive());

        Assert.Empty(run.Errors);
        var steps = Steps(run, FanOutActivity);
        Assert.Equal(new[] { 33, 66, 100 }, steps.Select(p => p.PercentComplete));
        Assert.StartsWith("3 of 3 call records read, ", steps[^1].StatusDescription);
        // only the records' expanded reads and their nested sessions pages here
        Assert.Equal(3 + EngineFixture.Count(_f.Host, Routes.ListSessions), AllRequests());
        Assert.Equal(3, EngineFixture.Count(_f.Host, Routes.GetCallRecord));
        Assert.StartsWith($"3 of 3 call records read, {AllRequests()} requests (", steps[^1].StatusDescription);
        AssertCompletedLast(run, FanOutActivity);
    }

    [Fact]
    public void SegmentsNameTheSessionAndItsRecord()
    {
        var rec = _f.Retained().First(r => r.SessionCount >= 2 && r.SessionCount <= 60);
        var run = HostedShell.Invoke("Get-CallRecordSession -CallRecordId $id | Get-CallRecordSegment", new Dictionary<string, object?> { ["id"] = rec.Id }, TestHost.Interactive());

        Assert.Empty(run.Errors);
        var sessions = _f.Host.Data.BuildSessions(rec.Index).Select(s => s!["id"]!.GetValue<string>()).ToList();
        // Two bars from two cmdlets: the sessions cmdlet's (one record, given as a parameter) and the segments cmdlet's.
        var steps = Steps(run, FanOutActivity);
        var sessionSteps = steps.Where(p => p.Activity.StartsWith("Get-CallRecordSession:", StringComparison.Ordinal)).ToList();
        var segmentSteps = steps.Where(p => p.Activity.StartsWith("Get-CallRecordSegment:", StringComparison.Ordinal)).ToList();
        var only = Assert.Single(sessionSteps);
        Assert.Equal(100, only.PercentComplete);
        Assert.StartsWith("1 of 1 call records read, ", only.StatusDescription);
        Assert.Equal(sessions.Select(s => $"session {s} of call record {rec.Id}"), segmentSteps.Select(p => p.CurrentOperation));
        Assert.StartsWith($"{sessions.Count} sessions read, ", segmentSteps[^1].StatusDescription);
    }

    [Fact]
    public void ParticipantsOfPipedRecordsStepOncePerRecord()
    {
        var ids = Ids(50, 3);
        var run = HostedShell.Invoke("$ids | Get-CallRecordParticipant", new Dictionary<string, object?> { ["ids"] = ids.ToArray() }, TestHost.Interactive());
        Assert.Empty(run.Errors);
        var steps = Steps(run, FanOutActivity);
        Assert.Equal(ids.Select(i => "call record " + i), steps.Select(p => p.CurrentOperation));
        // participants pages plus one organizer request per record
        Assert.Equal(EngineFixture.Count(_f.Host, Routes.ListParticipants) + 3, AllRequests());
        Assert.StartsWith($"3 call records read, {AllRequests()} requests (", steps[^1].StatusDescription);
        AssertCompletedLast(run, FanOutActivity);
    }

    [Theory]
    [InlineData(false, "$ids | Get-CallRecordSession")]
    [InlineData(true, "$ids | Get-CallRecordSession -ProgressAction SilentlyContinue")]
    [InlineData(false, "Get-CallRecord -Id $ids -ExpandSession")]
    [InlineData(true, "Get-CallRecord -Id $ids -ExpandSession -ProgressAction SilentlyContinue")]
    public void NoExpansionProgressWhenNonInteractiveOrSilenced(bool interactive, string script)
    {
        var ids = Ids(60, 3);
        var run = HostedShell.Invoke(script, new Dictionary<string, object?> { ["ids"] = ids.ToArray() }, interactive ? TestHost.Interactive() : null);
        Assert.Empty(run.Errors);
        Assert.NotEmpty(run.Output);
        Assert.Empty(run.Progress);
    }
}
