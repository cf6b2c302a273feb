using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

public sealed class AdaptiveRequestGateTests
{
    [Fact]
    public async Task AdmitsUpToTheLimitAndQueuesTheRestInOrder()
    {
        var gate = new AdaptiveRequestGate(2);
        var a = await gate.EnterAsync(default);
        var b = await gate.EnterAsync(default);
        var c = gate.EnterAsync(default);
        Assert.False(c.IsCompleted);
        a.Dispose();
        (await c).Dispose();
        b.Dispose();
        Assert.Equal(2, gate.PeakInFlight);
    }

    [Fact]
    public async Task A429HalvesTheLimitAndSuccessesRaiseItBack()
    {
        var gate = new AdaptiveRequestGate(4, baseBackoff: TimeSpan.Zero);
        gate.OnResponse(429);
        Assert.Equal(2, gate.Limit);
        gate.OnResponse(429);
        Assert.Equal(1, gate.Limit);
        gate.OnResponse(429);
        Assert.Equal(1, gate.Limit);
        Assert.Equal(3, gate.ThrottledCount);

        var first = await gate.EnterAsync(default);
        var second = gate.EnterAsync(default);
        Assert.False(second.IsCompleted);
        gate.OnResponse(200); // 1 success at limit 1 → 2, which admits the waiter
        (await second).Dispose();
        first.Dispose();
        gate.OnResponse(200);
        gate.OnResponse(200); // 2 successes at limit 2 → 3
        Assert.Equal(3, gate.Limit);
        for (var i = 0; i < 10; i++) gate.OnResponse(204);
        Assert.Equal(4, gate.Limit);
    }

    [Fact]
    public async Task ACancelledWaiterGivesItsTurnAway()
    {
        var gate = new AdaptiveRequestGate(1);
        var held = await gate.EnterAsync(default);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cts.Token);
        var next = gate.EnterAsync(default);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held.Dispose();
        (await next).Dispose();
        Assert.Equal(1, gate.PeakInFlight);
    }

    [Fact]
    public async Task TheRateWindowCountsAdmissions()
    {
        var rate = new RequestRateWindow(2, TimeSpan.FromHours(1));
        await rate.WaitTurnAsync(default);
        await rate.WaitTurnAsync(default);
        using var cts = new CancellationTokenSource();
        var third = rate.WaitTurnAsync(cts.Token);
        Assert.False(third.IsCompleted); // the budget is spent for the hour
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
    }
}
