using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// Ordered concurrent fan-out. <see cref="StreamAsync{TItem,TResult}"/> runs one producer per input item, at most
/// <c>maxConcurrency</c> of them at a time, and yields every result of item 0, then every result of item 1, and so on,
/// whatever order they finish in.
/// <list type="bullet">
/// <item>Concurrency: the producers of items k … k+maxConcurrency−1 exist while the consumer reads item k; the next
/// one starts when the consumer moves past an item. With maxConcurrency 1 nothing runs in the background at all: the
/// items are read one after the other, lazily, so a consumer that stops early causes no work beyond what it read.</item>
/// <item>Memory: a producer that is not being read holds at most <c>maxBufferedPerItem</c> results, then waits.</item>
/// <item>Failure: a producer's exception is raised when the consumer reaches that item, after every result of the
/// items before it; it is never swallowed and never shortens the output silently.</item>
/// <item>Stopping: disposing the enumeration (or cancelling) cancels every running producer and waits for them.</item>
/// </list>
/// Generic on purpose (no Graph types): the PSTN-type log windows use it, anything else that fans out may too.
/// </summary>
internal static class OrderedConcurrency
{
    public static async IAsyncEnumerable<TResult> StreamAsync<TItem, TResult>(
        IReadOnlyList<TItem> items,
        int maxConcurrency,
        int maxBufferedPerItem,
        Func<TItem, CancellationToken, IAsyncEnumerable<TResult>> produce,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (items is null) throw new ArgumentNullException(nameof(items));
        if (produce is null) throw new ArgumentNullException(nameof(produce));
        if (maxConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(maxConcurrency));
        if (maxBufferedPerItem < 1) throw new ArgumentOutOfRangeException(nameof(maxBufferedPerItem));

        if (maxConcurrency == 1)
        {
            foreach (var item in items)
                await foreach (var result in produce(item, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                    yield return result;
            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lanes = new Lane<TResult>?[items.Count];
        var started = 0;
        try
        {
            for (var k = 0; k < items.Count; k++)
            {
                while (started < items.Count && started < k + maxConcurrency)
                {
                    var lane = new Lane<TResult>(maxBufferedPerItem);
                    var item = items[started];
                    lane.Pump = Task.Run(() => lane.FillAsync(produce(item, stop.Token), stop.Token));
                    lanes[started++] = lane;
                }
                var current = lanes[k]!;
                while (true)
                {
                    var (has, value) = await current.TakeAsync(stop.Token).ConfigureAwait(false);
                    if (!has) break;
                    yield return value!;
                }
                // The pump signalled its end; let it return before its semaphores go.
                await current.Pump!.ConfigureAwait(false);
                lanes[k] = null;
                current.Dispose();
            }
        }
        finally
        {
            stop.Cancel();
            for (var i = 0; i < started; i++)
            {
                if (lanes[i] is not { } lane) continue;
                try { await lane.Pump!.ConfigureAwait(false); } catch (Exception) { /* the lane records its own fault */ }
                lane.Dispose();
            }
        }
    }

    /// <summary>One producer's bounded buffer, in order, ending with completion or a fault.</summary>
    private sealed class Lane<T> : IDisposable
    {
        private readonly object _gate = new();
        private readonly Queue<T> _queue = new();
        private readonly SemaphoreSlim _available = new(0);
        private readonly SemaphoreSlim _space;
        private bool _done;
        private Exception? _fault;

        public Lane(int capacity) => _space = new SemaphoreSlim(capacity, capacity);

        public Task? Pump { get; set; }

        public async Task FillAsync(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
        {
            Exception? fault = null;
            try
            {
                await foreach (var value in source.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    await _space.WaitAsync(cancellationToken).ConfigureAwait(false);
                    lock (_gate) _queue.Enqueue(value);
                    _available.Release();
                }
            }
            catch (Exception ex)
            {
                fault = ex;
            }
            lock (_gate)
            {
                _done = true;
                _fault = fault;
            }
            _available.Release();
        }

        /// <summary>The next value; (false, default) at the end; the producer's exception when it failed.</summary>
        public async Task<(bool, T?)> TakeAsync(CancellationToken cancellationToken)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_queue.Count > 0)
                {
                    var value = _queue.Dequeue();
                    _space.Release();
                    return (true, value);
                }
                if (_fault is not null) ExceptionDispatch(_fault);
                if (!_done) throw new InvalidOperationException("Lane signalled without a value or an end.");
                // Keep the end signalled for any later read.
                _available.Release();
                return (false, default);
            }
        }

        private static void ExceptionDispatch(Exception ex) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw();

        public void Dispose()
        {
            _available.Dispose();
            _space.Dispose();
        }
    }
}
