using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>Tuning of one <see cref="OrderedFanOut"/> run.</summary>
internal sealed class FanOutOptions
{
    public static readonly FanOutOptions Default = new();

    /// <summary>Items started but not yet read past by the consumer (running plus finished out of order); 0 means
    /// twice the limiter's limit (or 1 without a limiter). Bounds memory when the head of the line is slow. With 1,
    /// nothing runs in the background: items are read one after the other, lazily.</summary>
    public int MaxInFlight { get; set; }

    /// <summary>Results one item that is not being read may hold before its producer waits.</summary>
    public int MaxBufferedPerItem { get; set; } = 1;

    /// <summary>Recognises a failure that means "throttled" after the transport's own retries (e.g. a 429
    /// GraphRequestException); such a one-result job is retried after the limiter's pause instead of failing.</summary>
    public Func<Exception, bool>? IsThrottled { get; set; }

    /// <summary>How often one job may be retried for throttling before its failure is raised.</summary>
    public int ThrottleRetries { get; set; } = 5;
}

/// <summary>
/// The module's one ordered concurrent fan-out: one asynchronous producer per item of a source, several at once, and
/// every result of item 0, then every result of item 1, and so on, whatever order they finish in. Used for the
/// one-GET-per-record expansions (Get-CallRecord -ExpandSession, Get-CallRecordStream: a one-element stream per item,
/// see <see cref="RunAsync{TIn,TOut}"/>) and the PSTN-type log windows (a stream of pages per 90-day window).
/// <list type="bullet">
/// <item>Concurrency: at most <see cref="FanOutOptions.MaxInFlight"/> items between start and being read past; the
/// source is read only as that allows, so a slow consumer slows the work instead of growing memory.</item>
/// <item>Memory: an item not being read holds at most <see cref="FanOutOptions.MaxBufferedPerItem"/> results.</item>
/// <item>Failure: an item's exception is raised when the consumer reaches that item, after every earlier result;
/// never swallowed. Jobs that must not stop the run catch their own errors.</item>
/// <item>Stopping: disposing the enumeration (or cancelling) cancels every running producer and waits for them.</item>
/// </list>
/// </summary>
internal static class OrderedFanOut
{
    /// <summary>One job per item with one result each, every job holding a lease of <paramref name="limiter"/> while it
    /// runs (leases are taken in item order, before the item starts).</summary>
    public static IAsyncEnumerable<TOut> RunAsync<TIn, TOut>(IAsyncEnumerable<TIn> source,
        Func<TIn, CancellationToken, Task<TOut>> work, AdaptiveConcurrencyLimiter limiter, FanOutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (work is null) throw new ArgumentNullException(nameof(work));
        if (limiter is null) throw new ArgumentNullException(nameof(limiter));
        options ??= FanOutOptions.Default;
        return StreamCoreAsync(source, (item, t) => OneAsync(item, work, limiter, options, t), limiter, options, cancellationToken);
    }

    /// <summary>One producer per item, each yielding any number of results (no lease per item: a producer that sends
    /// several requests takes a lease of its limiter per request).</summary>
    public static IAsyncEnumerable<TOut> StreamAsync<TIn, TOut>(IAsyncEnumerable<TIn> source,
        Func<TIn, CancellationToken, IAsyncEnumerable<TOut>> produce, FanOutOptions options, CancellationToken cancellationToken = default)
    {
        if (produce is null) throw new ArgumentNullException(nameof(produce));
        if (options is null) throw new ArgumentNullException(nameof(options));
        return StreamCoreAsync(source, produce, null, options, cancellationToken);
    }

    /// <summary>A list as a source.</summary>
    public static async IAsyncEnumerable<T> Items<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield return item;
        }
    }

    private static async IAsyncEnumerable<TOut> StreamCoreAsync<TIn, TOut>(IAsyncEnumerable<TIn> source,
        Func<TIn, CancellationToken, IAsyncEnumerable<TOut>> produce, AdaptiveConcurrencyLimiter? perItem, FanOutOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (source is null) throw new ArgumentNullException(nameof(source));
        if (options.MaxBufferedPerItem < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxBufferedPerItem must be at least 1.");
        var maxInFlight = options.MaxInFlight > 0 ? options.MaxInFlight : perItem is null ? 1 : Math.Max(2, perItem.Limit * 2);

        if (maxInFlight == 1 && perItem is null)
        {
            await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
                await foreach (var result in produce(item, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                    yield return result;
            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        var lanes = new Queue<Lane<TOut>>();
        var ready = new SemaphoreSlim(0);
        var room = new SemaphoreSlim(maxInFlight);
        Exception? pumpFault = null;

        async Task PumpAsync()
        {
            try
            {
                await foreach (var item in source.WithCancellation(token).ConfigureAwait(false))
                {
                    await room.WaitAsync(token).ConfigureAwait(false);
                    var lease = perItem is null ? null : await perItem.AcquireAsync(token).ConfigureAwait(false);
                    var lane = new Lane<TOut>(options.MaxBufferedPerItem);
                    lane.Fill = Task.Run(() => lane.FillAsync(() => produce(item, token), lease, token), CancellationToken.None);
                    lock (lanes) lanes.Enqueue(lane);
                    ready.Release();
                }
            }
            catch (Exception ex)
            {
                pumpFault = ex;
            }
            finally
            {
                ready.Release(); // the end marker: the consumer finds no lane after it
            }
        }

        var pump = Task.Run(PumpAsync, CancellationToken.None);
        Lane<TOut>? current = null;
        try
        {
            while (true)
            {
                await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (lanes) current = lanes.Count > 0 ? lanes.Dequeue() : null;
                if (current is null)
                {
                    if (pumpFault is { } fault && !(fault is OperationCanceledException && token.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fault).Throw();
                    yield break;
                }
                while (true)
                {
                    var (has, value) = await current.TakeAsync(token).ConfigureAwait(false);
                    if (!has) break;
                    yield return value!;
                }
                // The lane signalled its end; let its fill return before its semaphores go.
                await current.Fill!.ConfigureAwait(false);
                current.Dispose();
                current = null;
                room.Release();
            }
        }
        finally
        {
            stop.Cancel();
            try { await pump.ConfigureAwait(false); } catch (Exception) { /* its fault was reported above or is moot */ }
            var left = new List<Lane<TOut>>();
            if (current is not null) left.Add(current);
            lock (lanes) left.AddRange(lanes);
            foreach (var lane in left)
            {
                try { await lane.Fill!.ConfigureAwait(false); } catch (Exception) { /* the lane records its own fault */ }
                lane.Dispose();
            }
            ready.Dispose();
            room.Dispose();
        }
    }

    private static async IAsyncEnumerable<TOut> OneAsync<TIn, TOut>(TIn item, Func<TIn, CancellationToken, Task<TOut>> work,
        AdaptiveConcurrencyLimiter limiter, FanOutOptions options, [EnumeratorCancellation] CancellationToken token)
    {
        var retries = 0;
        while (true)
        {
            TOut result;
            try
            {
                result = await work(item, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested && options.IsThrottled?.Invoke(ex) == true && retries++ < options.ThrottleRetries)
            {
                limiter.OnThrottled(null);
                await limiter.WaitForResumeAsync(token).ConfigureAwait(false);
                continue;
            }
            yield return result;
            yield break;
        }
    }

    /// <summary>One item's bounded buffer of results, in order, ending with completion or a fault.</summary>
    private sealed class Lane<T> : IDisposable
    {
        private readonly object _gate = new();
        private readonly Queue<T> _queue = new();
        private readonly SemaphoreSlim _available = new(0);
        private readonly SemaphoreSlim _space;
        private bool _done;
        private Exception? _fault;

        public Lane(int capacity) => _space = new SemaphoreSlim(capacity, capacity);

        public Task? Fill { get; set; }

        /// <param name="lease">The item's limiter lease, if it has one: released when the producer ends, not when the
        /// consumer has read it, so a finished item frees its slot for the next.</param>
        /// <param name="source">The item's output, produced into this lane.</param>
        /// <param name="cancellationToken">Stops the producer.</param>
        public async Task FillAsync(Func<IAsyncEnumerable<T>> source, IDisposable? lease, CancellationToken cancellationToken)
        {
            Exception? fault = null;
            try
            {
                await foreach (var value in source().WithCancellation(cancellationToken).ConfigureAwait(false))
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
            finally
            {
                lease?.Dispose();
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
                if (_fault is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_fault).Throw();
                if (!_done) throw new InvalidOperationException("Lane signalled without a value or an end.");
                _available.Release(); // keep the end signalled for any later read
                return (false, default);
            }
        }

        public void Dispose()
        {
            _available.Dispose();
            _space.Dispose();
        }
    }
}
