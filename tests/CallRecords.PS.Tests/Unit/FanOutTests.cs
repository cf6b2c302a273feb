using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The ordered fan-out and its limiter, without HTTP: ordering, the in-flight bound, AIMD, failures.</summary>
public class FanOutTests
{
    private static async IAsyncEnumerable<int> Range(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    [Fact]
    public async Task ResultsComeInSourceOrderAndInFlightNeverExceedsTheLimit()
    {
        var limiter = new AdaptiveConcurrencyLimiter(4);
        var running = 0;
        var peak = 0;
        var gates = Enumerable.Range(0, 40).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        async Task<int> Work(int i, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
            await gates[i].Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return i * 10;
        }
        var run = Task.Run(async () =>
        {
            var list = new List<int>();
            await foreach (var r in OrderedFanOut.RunAsync(Range(40), Work, limiter)) list.Add(r);
            return list;
        });
        // Release in reverse within each group of four, so jobs finish out of order.
        for (var i = 0; i < 40; i += 4)
        {
            while (Volatile.Read(ref running) < 4) await Task.Delay(1);
            for (var j = Math.Min(i + 3, 39); j >= i; j--) gates[j].SetResult();
        }
        var results = await run;
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 10), results);
        Assert.Equal(4, limiter.PeakInFlight);
        Assert.Equal(4, peak);
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public void ThrottlingShrinksOncePerEpisodeAndSuccessesGrowItBackOneAtATime()
    {
        var now = TimeSpan.Zero;
        var limiter = new AdaptiveConcurrencyLimiter(16, () => now);
        limiter.OnThrottled(TimeSpan.FromSeconds(2));
        Assert.Equal(12, limiter.EffectiveLimit);
        // More 429s of the same burst, inside the pause: one episode.
        limiter.OnThrottled(TimeSpan.FromSeconds(2));
        limiter.OnThrottled(null);
        Assert.Equal(12, limiter.EffectiveLimit);
        Assert.Equal(1, limiter.ThrottleEpisodes);

        // After the pause, but before a full allowance succeeded since the cut: still the same episode.
        now = TimeSpan.FromSeconds(3);
        for (var i = 0; i < 11; i++) limiter.OnSuccess();
        limiter.OnThrottled(TimeSpan.FromSeconds(1));
        Assert.Equal(12, limiter.EffectiveLimit);
        Assert.Equal(1, limiter.ThrottleEpisodes);

        now = TimeSpan.FromSeconds(5);
        for (var i = 0; i < 11; i++) limiter.OnSuccess();
        Assert.Equal(12, limiter.EffectiveLimit); // the count restarted at the last 429
        limiter.OnSuccess();
        Assert.Equal(13, limiter.EffectiveLimit);
        limiter.OnThrottled(TimeSpan.FromSeconds(1));
        Assert.Equal(9, limiter.EffectiveLimit);
        Assert.Equal(2, limiter.ThrottleEpisodes);

        now = TimeSpan.FromSeconds(7);
        for (var i = 0; i < 8; i++) limiter.OnSuccess();
        Assert.Equal(9, limiter.EffectiveLimit);
        limiter.OnSuccess();
        Assert.Equal(10, limiter.EffectiveLimit);
        for (var i = 0; i < 1000; i++) limiter.OnSuccess();
        Assert.Equal(16, limiter.EffectiveLimit);
    }

    [Fact]
    public async Task PacingSpacesStartsByTheRate()
    {
        var now = TimeSpan.FromSeconds(10);
        var limiter = new AdaptiveConcurrencyLimiter(8, () => now) { MaxStartsPerSecond = 10 };
        using var first = await limiter.AcquireAsync(CancellationToken.None);
        // The slack lets a late start catch up by 100 ms: one more now, then the schedule holds.
        using var second = await limiter.AcquireAsync(CancellationToken.None);
        var third = limiter.AcquireAsync(CancellationToken.None);
        await Task.Delay(30);
        Assert.False(third.IsCompleted);
        now += TimeSpan.FromMilliseconds(100);
        using var lease = await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, limiter.InFlight);
    }

    [Fact]
    public async Task APauseHoldsNewStartsUntilRetryAfterHasPassed()
    {
        var now = TimeSpan.Zero;
        var limiter = new AdaptiveConcurrencyLimiter(2, () => now);
        limiter.OnThrottled(TimeSpan.FromMilliseconds(200));
        var acquire = limiter.AcquireAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(acquire.IsCompleted);
        now = TimeSpan.FromSeconds(1);
        using var lease = await acquire.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, limiter.InFlight);
    }

    [Fact]
    public async Task AFailedJobFailsTheRunAfterTheEarlierResults()
    {
        var limiter = new AdaptiveConcurrencyLimiter(3);
        var seen = new List<int>();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var r in OrderedFanOut.RunAsync(Range(10), (i, _) => i == 5 ? Task.FromException<int>(new InvalidOperationException("five")) : Task.FromResult(i), limiter))
                seen.Add(r);
        });
        Assert.Equal("five", ex.Message);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, seen);
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task AThrottledJobIsRetriedAfterThePause()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2);
        var attempts = 0;
        var options = new FanOutOptions { IsThrottled = e => e is TimeoutException, ThrottleRetries = 3 };
        var results = new List<int>();
        await foreach (var r in OrderedFanOut.RunAsync(Range(3), (i, _) =>
                           i == 1 && Interlocked.Increment(ref attempts) == 1 ? Task.FromException<int>(new TimeoutException()) : Task.FromResult(i),
                           limiter, options))
            results.Add(r);
        Assert.Equal(new[] { 0, 1, 2 }, results);
        Assert.Equal(2, attempts);
        Assert.Equal(1, limiter.ThrottleEpisodes);
    }

    [Fact]
    public async Task StoppingEarlyCancelsTheJobsStillRunning()
    {
        var limiter = new AdaptiveConcurrencyLimiter(4);
        var cancelled = 0;
        // Job 0 finishes only once job 1 runs, so a job is certainly in flight when the consumer stops.
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Work(int i, CancellationToken ct)
        {
            if (i == 0) { await secondStarted.Task.WaitAsync(ct); return 0; }
            if (i == 1) secondStarted.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { Interlocked.Increment(ref cancelled); throw; }
            return i;
        }
        await foreach (var r in OrderedFanOut.RunAsync(Range(100), Work, limiter))
        {
            Assert.Equal(0, r);
            break;
        }
        Assert.Equal(0, limiter.InFlight);
        Assert.True(cancelled >= 1, "no running job saw the cancellation");
    }
}
