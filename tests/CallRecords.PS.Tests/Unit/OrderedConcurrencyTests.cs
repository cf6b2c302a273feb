using System.Runtime.CompilerServices;
using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The ordered fan-out, driven by hand-released gates so no assertion depends on timing.</summary>
public sealed class OrderedConcurrencyTests
{
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

        public async IAsyncEnumerable<string> Produce(int item, [EnumeratorCancellation] CancellationToken ct)
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
        var stream = OrderedConcurrency.StreamAsync(items, 3, 4, probe.Produce).GetAsyncEnumerator();
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
        var stream = OrderedConcurrency.StreamAsync(Enumerable.Range(0, 6).ToList(), 2, 4, probe.Produce).GetAsyncEnumerator();
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
        var stream = OrderedConcurrency.StreamAsync(Enumerable.Range(0, 3).ToList(), 1, 4, probe.Produce).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("0b", stream.Current);
        lock (probe) Assert.Equal(new[] { 0 }, probe.Started);
        await stream.DisposeAsync();
        lock (probe) Assert.Equal(new[] { 0 }, probe.Started);
    }

    [Fact]
    public async Task AFailureSurfacesAfterEverythingBeforeItAndIsNeverSwallowed()
    {
        static async IAsyncEnumerable<int> Produce(int item, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            if (item == 2) throw new InvalidOperationException("window 2 failed");
            yield return item * 10;
            yield return item * 10 + 1;
        }

        var seen = new List<int>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var v in OrderedConcurrency.StreamAsync(Enumerable.Range(0, 4).ToList(), 4, 1, Produce)) seen.Add(v);
        });
        Assert.Equal("window 2 failed", error.Message);
        Assert.Equal(new[] { 0, 1, 10, 11 }, seen);
    }

    [Fact]
    public async Task StoppingEarlyCancelsTheProducersStillRunning()
    {
        var running = 0;
        async IAsyncEnumerable<int> Produce(int item, [EnumeratorCancellation] CancellationToken ct)
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

        await foreach (var v in OrderedConcurrency.StreamAsync(Enumerable.Range(0, 3).ToList(), 3, 2, Produce))
        {
            Assert.Equal(0, v);
            break;
        }
        // Every producer that started has been stopped and disposed by the time the enumeration is.
        Assert.Equal(0, Volatile.Read(ref running));
    }
}
