using System.Management.Automation;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Resilience;

/// <summary>
/// -First and Ctrl+C (PowerShell.Stop, which calls StopProcessing) end the cmdlet with nothing left running: once the
/// command has returned and the request that was in flight has been answered, the emulator sees no further request.
/// No timing is asserted: "nothing left" is checked by the emulator's request counters after the in-flight gauge
/// drops to zero and a pause in which a leftover producer would have sent its next request.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class CancellationTests : IDisposable
{
    private readonly EngineFixture _f;

    public CancellationTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    public void Dispose()
    {
        _f.Host.Control.LatencyMs = 0;
        _f.Host.Control.ClearFaults();
    }

    /// <summary>Graph requests that arrived, once nothing is in flight and a leftover loop has had time to send more.</summary>
    private void Settle()
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (_f.Host.Control.InFlightTotal.Current > 0 && DateTime.UtcNow < until) Thread.Sleep(5);
        // Several emulator latencies: a producer that was still running would have started another page by now.
        Thread.Sleep(Math.Max(300, _f.Host.Control.LatencyMs * 4));
        Assert.Equal(0, _f.Host.Control.InFlightTotal.Current);
    }

    private long GraphRequests(string route) => EngineFixture.Count(_f.Host, route);

    [Fact]
    public void FirstStopsReadingAfterThePageThatHoldsTheLastWantedRecord()
    {
        var vars = new Dictionary<string, object?> { ["s"] = _f.Now.AddDays(-20), ["e"] = _f.Now };
        Assert.True(_f.Retained().Count(r => r.StartDateTime >= _f.Now.AddDays(-20)) > 100);

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 10 -First 15", vars);

        Assert.Empty(run.Errors);
        Assert.Equal(15, run.Objects<CallRecord>().Count);
        var atReturn = GraphRequests(Routes.ListCallRecords);
        Assert.InRange(atReturn, 2, 3); // pages 1–2 hold the 15; at most one page read ahead
        Settle();
        Assert.Equal(atReturn, GraphRequests(Routes.ListCallRecords));
    }

    [Fact]
    public void StopDuringAListingLeavesNoRequestRunning()
    {
        _f.Host.Control.LatencyMs = 60;
        var pages = (_f.Retained().Count + 4) / 5;
        var run = StartAndStop("Get-CallRecord -PageSize 5", Routes.ListCallRecords, 3);

        Assert.Equal(PSInvocationState.Stopped, run.State);
        var atStop = GraphRequests(Routes.ListCallRecords);
        Settle();
        Assert.Equal(atStop, GraphRequests(Routes.ListCallRecords));
        Assert.True(atStop < pages, $"{atStop} of {pages} pages were requested: the listing ran to its end");
    }

    [Fact]
    public void StopDuringConcurrentPstnWindowsLeavesNoRequestRunning()
    {
        _f.Host.Control.LatencyMs = 60;
        var run = StartAndStop("Get-CallRecordPstnCall -StartDateTime ([DateTimeOffset]::UtcNow.AddDays(-360)) -EndDateTime ([DateTimeOffset]::UtcNow) -ThrottleLimit 4",
            Routes.GetPstnCalls, 2);

        Assert.Equal(PSInvocationState.Stopped, run.State);
        var atStop = GraphRequests(Routes.GetPstnCalls);
        Settle();
        Assert.Equal(atStop, GraphRequests(Routes.GetPstnCalls));
    }

    private sealed record StopResult(PSInvocationState State);

    /// <summary>Starts <paramref name="script"/> asynchronously, waits until <paramref name="requests"/> requests of the
    /// route arrived, then stops the pipeline the way Ctrl+C does; returns once Stop has returned.</summary>
    private StopResult StartAndStop(string script, string route, int requests)
    {
        using var ps = _f.CreateShell();
        ps.AddScript(script);
        var output = new PSDataCollection<PSObject>();
        var pending = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (GraphRequests(route) < requests && !pending.IsCompleted && DateTime.UtcNow < until) Thread.Sleep(2);
        Assert.False(pending.IsCompleted, "the command finished before it could be stopped");
        ps.Stop();
        try { ps.EndInvoke(pending); } catch (PipelineStoppedException) { }
        return new StopResult(ps.InvocationStateInfo.State);
    }
}
