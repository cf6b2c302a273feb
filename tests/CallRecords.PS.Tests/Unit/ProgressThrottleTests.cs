using CallRecords.Cmdlets;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The progress rate limit (issue #22): the first update goes through, then at most one per interval, also
/// when many producer threads report at once.</summary>
public sealed class ProgressThrottleTests
{
    [Fact]
    public void First_update_at_once_then_one_per_interval()
    {
        var now = TimeSpan.Zero;
        var throttle = new ProgressThrottle(() => now, TimeSpan.FromMilliseconds(200));

        Assert.True(throttle.TryTake());
        now = TimeSpan.FromMilliseconds(1);
        Assert.False(throttle.TryTake());
        now = TimeSpan.FromMilliseconds(199);
        Assert.False(throttle.TryTake());
        now = TimeSpan.FromMilliseconds(200);
        Assert.True(throttle.TryTake());
        Assert.False(throttle.TryTake());
        // A pause longer than the interval does not bank updates: one, then wait again.
        now = TimeSpan.FromSeconds(10);
        Assert.True(throttle.TryTake());
        Assert.False(throttle.TryTake());
    }

    [Fact]
    public void Five_per_second_over_a_stream_of_updates()
    {
        var now = TimeSpan.Zero;
        var throttle = new ProgressThrottle(() => now, ProgressThrottle.MinimumInterval);
        var written = 0;
        // 10,000 updates over 10 s (one a millisecond): 5 a second, the first at once.
        for (var i = 0; i < 10_000; i++)
        {
            now = TimeSpan.FromMilliseconds(i);
            if (throttle.TryTake()) written++;
        }
        Assert.Equal(50, written);
    }

    [Fact]
    public void Concurrent_callers_at_one_instant_get_one_update()
    {
        var throttle = new ProgressThrottle(() => TimeSpan.FromSeconds(5), ProgressThrottle.MinimumInterval);
        using var start = new Barrier(8);
        var taken = 0;
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 1000; i++)
                if (throttle.TryTake()) Interlocked.Increment(ref taken);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30)), "a caller did not finish"));
        Assert.Equal(1, taken);
    }
}
