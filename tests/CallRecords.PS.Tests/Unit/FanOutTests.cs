extern alias bcl;
using CallRecords.Graph;
using CallRecords.PS.Tests.TestSupport;
using BclStreams = bcl::System.Collections.Generic;
using EnumeratorCancellationAttribute = bcl::System.Runtime.CompilerServices.EnumeratorCancellationAttribute;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The ordered fan-out (one-result jobs and per-item streams) and its limiter, without HTTP: ordering, the in-flight
/// bound, per-item buffering, AIMD, pacing and the rate window, failures, early stop.</summary>
public class FanOutTests
{
    private static async BclStreams.IAsyncEnumerable<int> Range(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    /// <summary>The limiter's time, driven by the test: a clock it sets and pauses it completes, each pause request
    /// handed to the test as it is made. Nothing waits on real time, so nothing depends on the machine's speed.</summary>
    private sealed class ManualTime
    {
        private readonly System.Threading.Channels.Channel<(TimeSpan Duration, TaskCompletionSource Done)> _pauses =
            System.Threading.Channels.Channel.CreateUnbounded<(TimeSpan, TaskCompletionSource)>();

        public TimeSpan Now { get; set; }

        public Task Delay(TimeSpan duration, CancellationToken ct)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => done.TrySetCanceled(ct));
            _pauses.Writer.TryWrite((duration, done));
            return done.Task;
        }

        /// <summary>The next pause the limiter asks for; fails after 10 s if it asks for none.</summary>
        public async Task<(TimeSpan Duration, TaskCompletionSource Done)> NextPauseAsync() =>
            await _pauses.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public bool AnyPause => _pauses.Reader.Count > 0;
    }

    [Fact]
    public async Task ResultsComeInSourceOrderAndInFlightNeverExceedsTheLimit()
    {
        var limiter = new AdaptiveConcurrencyLimiter(4);
        var running = 0;
        var peak = 0;
        using var started = new SemaphoreSlim(0);
        var gates = Enumerable.Range(0, 40).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        async Task<int> Work(int i, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref running);
            started.Release();
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
            await gates[i].Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return i * 10;
        }
        var run = Task.Run(async () =>
        {
            var list = new List<int>();
            await foreach (var r in OrderedFanOut.RunAsync(Range(40).ToModule(), Work, limiter)) list.Add(r);
            return list;
        });
        // Release in reverse within each group of four, so jobs finish out of order.
        for (var i = 0; i < 40; i += 4)
        {
            // The group's four jobs have started (and, the limit being 4, no fifth can have).
            for (var k = 0; k < 4; k++) Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)), $"job {i + k} did not start");
            Assert.Equal(4, Volatile.Read(ref running));
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
    public async Task APauseHoldsNewStartsUntilRetryAfterHasPassed()
    {
        var time = new ManualTime();
        var limiter = new AdaptiveConcurrencyLimiter(2, () => time.Now, time.Delay);
        limiter.OnThrottled(TimeSpan.FromMilliseconds(200));
        var acquire = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(acquire.IsCompleted);
        var (pause, done) = await time.NextPauseAsync();
        Assert.Equal(TimeSpan.FromMilliseconds(200), pause);
        // A pause that ends early (a timer firing before Retry-After has passed) is waited out for the rest.
        time.Now = TimeSpan.FromMilliseconds(150);
        done.SetResult();
        (pause, done) = await time.NextPauseAsync();
        Assert.Equal(TimeSpan.FromMilliseconds(50), pause);
        Assert.False(acquire.IsCompleted);
        time.Now = TimeSpan.FromSeconds(1);
        done.SetResult();
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
            await foreach (var r in OrderedFanOut.RunAsync(Range(10).ToModule(), (i, _) => i == 5 ? Task.FromException<int>(new InvalidOperationException("five")) : Task.FromResult(i), limiter))
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
        await foreach (var r in OrderedFanOut.RunAsync(Range(3).ToModule(), (i, _) =>
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
        await foreach (var r in OrderedFanOut.RunAsync(Range(100).ToModule(), Work, limiter))
        {
            Assert.Equal(0, r);
            break;
        }
        Assert.Equal(0, limiter.InFlight);
        Assert.True(cancelled >= 1, "no running job saw the cancellation");
    }

    private sealed class Probe
    {
        private int _running;
        public int Peak;
        public readonly List<int> Started = new();
        public readonly Dictionary<int, TaskCompletionSource> Release = new();

        public Probe(int items)
        {
            for (var i = 0; i < items; i++) Release[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async BclStreams.IAsyncEnumerable<string> Produce(int item, [EnumeratorCancellation] CancellationToken ct)
        {
            lock (this)
            {
                Started.Add(item);
                Peak = Math.Max(Peak, ++_running);
            }
            try
            {
                yield return $"{item}a";
                await Release[item].Task.WaitAsync(ct);
                yield return $"{item}b";
            }
            finally
            {
                lock (this) _running--;
            }
        }
    }

    [Fact]
    public async Task ResultsComeInItemOrderWhateverOrderTheyFinishIn()
    {
        var probe = new Probe(5);
        var items = Enumerable.Range(0, 5).ToList();
        // Later items finish first.
        for (var i = 4; i >= 1; i--) probe.Release[i].SetResult();
        var stream = OrderedFanOut.StreamAsync(OrderedFanOut.Items(items), (i, ct) => probe.Produce(i, ct).ToModule(), Options(3, 4)).GetAsyncEnumerator();
        var results = new List<string>();
        Assert.True(await stream.MoveNextAsync());
        results.Add(stream.Current);
        probe.Release[0].SetResult();
        while (await stream.MoveNextAsync()) results.Add(stream.Current);
        await stream.DisposeAsync();

        Assert.Equal(new[] { "0a", "0b", "1a", "1b", "2a", "2b", "3a", "3b", "4a", "4b" }, results);
        Assert.True(probe.Peak <= 3, $"peak {probe.Peak} producers");
    }

    [Fact]
    public async Task NoMoreThanMaxConcurrencyProducersRun()
    {
        var probe = new Probe(6);
        var stream = OrderedFanOut.StreamAsync(OrderedFanOut.Items(Enumerable.Range(0, 6).ToList()), (i, ct) => probe.Produce(i, ct).ToModule(), Options(2, 4)).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync()); // 0a: items 0 and 1 may run, never 2
        lock (probe) Assert.DoesNotContain(2, probe.Started);
        foreach (var r in probe.Release.Values) r.TrySetResult();
        var count = 1;
        while (await stream.MoveNextAsync()) count++;
        await stream.DisposeAsync();
        Assert.Equal(12, count);
        Assert.True(probe.Peak <= 2, $"peak {probe.Peak} producers");
    }

    [Fact]
    public async Task WithOneAtATimeNothingStartsBeforeTheConsumerGetsThere()
    {
        var probe = new Probe(3);
        foreach (var r in probe.Release.Values) r.SetResult();
        var stream = OrderedFanOut.StreamAsync(OrderedFanOut.Items(Enumerable.Range(0, 3).ToList()), (i, ct) => probe.Produce(i, ct).ToModule(), Options(1, 4)).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("0b", stream.Current);
        lock (probe) Assert.Equal(new[] { 0 }, probe.Started);
        await stream.DisposeAsync();
        lock (probe) Assert.Equal(new[] { 0 }, probe.Started);
    }

    [Fact]
    public async Task AStreamFailureSurfacesAfterEverythingBeforeItAndIsNeverSwallowed()
    {
        static async BclStreams.IAsyncEnumerable<int> Produce(int item, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            if (item == 2) throw new InvalidOperationException("window 2 failed");
            yield return item * 10;
            yield return item * 10 + 1;
        }

        var seen = new List<int>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var v in OrderedFanOut.StreamAsync(OrderedFanOut.Items(Enumerable.Range(0, 4).ToList()), (i, ct) => Produce(i, ct).ToModule(), Options(4, 1))) seen.Add(v);
        });
        Assert.Equal("window 2 failed", error.Message);
        Assert.Equal(new[] { 0, 1, 10, 11 }, seen);
    }

    [Fact]
    public async Task StoppingEarlyCancelsTheStreamProducersStillRunning()
    {
        var running = 0;
        async BclStreams.IAsyncEnumerable<int> Produce(int item, [EnumeratorCancellation] CancellationToken ct)
        {
            try
            {
                Interlocked.Increment(ref running);
                yield return item;
                // Never ends unless cancelled: the enumeration below could not finish if it were not.
                await Task.Delay(Timeout.Infinite, ct);
                yield return -1;
            }
            finally { Interlocked.Decrement(ref running); }
        }

        await foreach (var v in OrderedFanOut.StreamAsync(OrderedFanOut.Items(Enumerable.Range(0, 3).ToList()), (i, ct) => Produce(i, ct).ToModule(), Options(3, 2)))
        {
            Assert.Equal(0, v);
            break;
        }
        // Every producer that started has been stopped and disposed by the time the enumeration is.
        Assert.Equal(0, Volatile.Read(ref running));
    }

    private static RequestTrace Trace(int status) => new("GET", new Uri("http://127.0.0.1/v1.0/communications/callRecords"), status, TimeSpan.Zero, null, null, null);

    private static FanOutOptions Options(int maxInFlight, int maxBufferedPerItem) => new() { MaxInFlight = maxInFlight, MaxBufferedPerItem = maxBufferedPerItem };

    [Fact]
    public async Task TheLimiterAdmitsUpToTheLimitAndQueuesTheRest()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2);
        var a = await limiter.AcquireAsync(default);
        var b = await limiter.AcquireAsync(default);
        var c = limiter.AcquireAsync(default);
        Assert.False(c.IsCompleted);
        a.Dispose();
        (await c.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        b.Dispose();
        Assert.Equal(2, limiter.PeakInFlight);
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task GrowingTheAllowanceAdmitsAWaiter()
    {
        var now = TimeSpan.Zero;
        var limiter = new AdaptiveConcurrencyLimiter(4, () => now);
        limiter.OnResponse(Trace(429));
        Assert.Equal(3, limiter.EffectiveLimit);
        now = TimeSpan.FromSeconds(2); // past the default pause
        var held = new[] { await limiter.AcquireAsync(default), await limiter.AcquireAsync(default), await limiter.AcquireAsync(default) };
        var fourth = limiter.AcquireAsync(default);
        Assert.False(fourth.IsCompleted);
        for (var i = 0; i < 3; i++) limiter.OnResponse(Trace(200));
        Assert.Equal(4, limiter.EffectiveLimit);
        (await fourth.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        foreach (var lease in held) lease.Dispose();
        Assert.Equal(4, limiter.PeakInFlight);
    }

    [Fact]
    public async Task ACancelledWaiterGivesItsTurnAway()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1);
        var held = await limiter.AcquireAsync(default);
        using var cts = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(cts.Token);
        var next = limiter.AcquireAsync(default);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held.Dispose();
        (await next.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        Assert.Equal(1, limiter.PeakInFlight);
    }
}
