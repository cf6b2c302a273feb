using System.Management.Automation;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Resilience;

/// <summary>
/// -First and Ctrl+C (PowerShell.Stop, which calls StopProcessing) end the cmdlet with nothing left running. No timing
/// is involved: the emulator holds the requests that are in flight when the command ends (a request hold), so the
/// test knows exactly which requests were outstanding, and each of them must be abandoned by the client — the
/// cancellation reached the HTTP call — before the test looks at the request counters again.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class CancellationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EngineFixture _f;

    public CancellationTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    public void Dispose()
    {
        _f.Host.Control.ClearHold();
        _f.Host.Control.ClearFaults();
    }

    private long GraphRequests(string route) => EngineFixture.Count(_f.Host, route);

    /// <summary>Waits until every request the hold held has been abandoned by the client and none is held any more.</summary>
    private static void AssertAbandoned(RequestHold hold, int held)
    {
        var done = hold.WaitUntilAsync(h => h.Held == 0 && h.Aborted == held, Patience).GetAwaiter().GetResult();
        Assert.True(done, $"the client did not abandon the {held} request(s) in flight: {hold}");
        Assert.False(hold.TimedOut, hold.ToString());
    }

    [Fact]
    public void FirstStopsReadingAfterThePageThatHoldsTheLastWantedRecord()
    {
        var vars = new Dictionary<string, object?> { ["s"] = _f.Now.AddDays(-20), ["e"] = _f.Now };
        var truth = _f.Host.Truth.Records(_f.Now.AddDays(-20), _f.Now);
        Assert.True(truth.Count > 100);
        // Pages 1 and 2 hold the 15 records; a page read ahead of them is held until the client gives up on it.
        var hold = _f.Host.Control.Hold(Routes.ListCallRecords, passFirst: 2, timeout: Patience);

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 10 -First 15", vars);

        Assert.Empty(run.Errors);
        TruthAssert.Equal(truth.Take(15), run.Objects<CallRecord>().Select(r => r.Id), "the first 15 records");
        var atReturn = GraphRequests(Routes.ListCallRecords);
        Assert.InRange(atReturn, 2, 3); // pages 1–2 hold the 15; at most one page read ahead
        AssertAbandoned(hold, (int)atReturn - 2);
        Assert.Equal(atReturn, GraphRequests(Routes.ListCallRecords));
    }

    [Fact]
    public void StopDuringAListingLeavesNoRequestRunning()
    {
        var pages = (_f.Host.Truth.Records().Count + 4) / 5;
        // The third page is held: the listing is stopped while it waits for it.
        var hold = _f.Host.Control.Hold(Routes.ListCallRecords, passFirst: 2, timeout: Patience);
        var run = StartAndStop("Get-CallRecord -PageSize 5", hold, 1);

        Assert.Equal(PSInvocationState.Stopped, run.State);
        AssertAbandoned(hold, 1);
        Assert.Equal(3, GraphRequests(Routes.ListCallRecords));
        Assert.True(3 < pages, $"the listing has only {pages} pages: nothing was left to stop");
    }

    [Fact]
    public void StopDuringConcurrentPstnWindowsLeavesNoRequestRunning()
    {
        // 360 days: four 90-day windows, eight pages in all; all four windows' first pages are held together.
        var table = _f.Host.Data.PstnCalls;
        var start = _f.Now.AddDays(-360);
        var pages = Enumerable.Range(0, 4).Sum(w => Math.Max(1, (table.LowerBound(start.AddDays(90 * (w + 1))) - table.LowerBound(start.AddDays(90 * w)) + 999) / 1000));
        Assert.True(pages > 4, $"{pages} pages: nothing would be left to stop");
        var hold = _f.Host.Control.Hold(Routes.GetPstnCalls, timeout: Patience);
        var run = StartAndStop("Get-CallRecordPstnCall -StartDateTime $s -EndDateTime $e -ThrottleLimit 4", hold, 4,
            ("s", start), ("e", _f.Now));

        Assert.Equal(PSInvocationState.Stopped, run.State);
        AssertAbandoned(hold, 4);
        Assert.Equal(4, GraphRequests(Routes.GetPstnCalls));
    }

    private sealed record StopResult(PSInvocationState State);

    /// <summary>Starts <paramref name="script"/> asynchronously, waits until the hold holds <paramref name="held"/>
    /// requests, then stops the pipeline the way Ctrl+C does; returns once Stop has returned.</summary>
    private StopResult StartAndStop(string script, RequestHold hold, int held, params (string Name, object? Value)[] vars)
    {
        using var ps = _f.CreateShell();
        foreach (var (name, value) in vars) ps.Runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        var output = new PSDataCollection<PSObject>();
        var pending = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var reached = hold.WaitUntilAsync(h => h.Held >= held, Patience).GetAwaiter().GetResult();
        Assert.True(reached, $"{held} request(s) were never in flight together: {hold}");
        Assert.False(pending.IsCompleted, "the command finished before it could be stopped");
        Assert.Equal(held, hold.Held);
        ps.Stop();
        try { ps.EndInvoke(pending); } catch (PipelineStoppedException) { }
        return new StopResult(ps.InvocationStateInfo.State);
    }
}
