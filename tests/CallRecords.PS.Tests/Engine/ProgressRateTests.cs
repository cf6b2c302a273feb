using System.Diagnostics;
using System.Management.Automation;
using CallRecords.Cmdlets;
using CallRecords.Models;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// Issue #22: progress is rate-limited on every host (Windows PowerShell 5.1's console draws every record it gets):
/// on an interactive host a listing of many pages and a fan-out over many records write at most one progress record
/// per 200 ms of the run (plus the first), and still finish with a completed bar. The bound comes from the run's own
/// measured time, so it holds however slow the machine is.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ProgressRateTests
{
    private const int ListActivity = 0x4352_0001;
    private readonly EngineFixture _f;

    public ProgressRateTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
        Assert.Null(ProgressThrottle.IntervalOverride); // the real limit
    }

    private static (StreamsRun Run, TimeSpan Elapsed) Timed(string script, Dictionary<string, object?> vars)
    {
        var watch = Stopwatch.StartNew();
        var run = HostedShell.Invoke(script, vars, TestHost.Interactive());
        return (run, watch.Elapsed);
    }

    private static void AssertRateLimited(StreamsRun run, int activity, TimeSpan elapsed, int updates)
    {
        var bar = run.Progress.Where(p => p.ActivityId == activity).ToList();
        var steps = bar.Count(p => p.RecordType == ProgressRecordType.Processing);
        var allowed = (int)(elapsed.Ticks / ProgressThrottle.MinimumInterval.Ticks) + 1;
        Assert.InRange(steps, 1, allowed);
        Assert.True(steps < updates || allowed >= updates, $"{steps} progress records for {updates} updates in {elapsed}");
        Assert.Equal(ProgressRecordType.Completed, bar[^1].RecordType);
    }

    [Fact]
    public void A_listing_of_many_pages_writes_at_most_five_progress_records_a_second()
    {
        var (start, end) = (_f.Now.AddDays(-20), _f.Now.AddDays(-2));
        var expected = _f.Retained().Where(r => r.StartDateTime >= start && r.StartDateTime < end).Select(r => r.Id).ToList();
        Assert.True(expected.Count > 150);
        var (run, elapsed) = Timed("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 5",
            new Dictionary<string, object?> { ["s"] = start, ["e"] = end });

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Output.Select(o => o.BaseObject).OfType<CallRecord>().Select(r => r.Id));
        AssertRateLimited(run, ListActivity, elapsed, (expected.Count + 4) / 5);
    }

    [Fact]
    public void A_fan_out_over_many_records_writes_at_most_five_progress_records_a_second()
    {
        var ids = _f.Retained().Take(150).Select(r => r.Id).ToArray();
        var (run, elapsed) = Timed("$ids | Get-CallRecordSession", new Dictionary<string, object?> { ["ids"] = ids });

        Assert.Empty(run.Errors);
        Assert.Equal(ids, run.Output.Select(o => o.BaseObject).OfType<CallRecordSession>().Select(s => s.CallRecordId).Distinct());
        AssertRateLimited(run, ExpansionProgress.FanOutActivityId, elapsed, ids.Length);
    }
}
