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

    /// <summary>Work items started but not yet handed to the consumer (in flight plus finished out of order);
    /// 0 means twice the limiter's limit. Bounds memory when the head of the line is slow.</summary>
    public int Window { get; set; }

    /// <summary>Recognises a failure that means "throttled" after the transport's own retries (e.g. a 429
    /// GraphRequestException); such an item is retried after the limiter's pause instead of failing.</summary>
    public Func<Exception, bool>? IsThrottled { get; set; }

    /// <summary>How often one item may be retried for throttling before its failure is raised.</summary>
    public int ThrottleRetries { get; set; } = 5;
}

/// <summary>
/// Runs one asynchronous job per item of a source concurrently — never more at once than the
/// <see cref="AdaptiveConcurrencyLimiter"/> allows — and yields the results in the source's order. Used for the
/// one-GET-per-record expansions (Get-CallRecord -ExpandSession over a list, Get-CallRecordStream) and for any
/// other "many independent requests, ordered output" job (PSTN windows).
/// <para>The source is read on a background pump as slots and the reorder window allow, so slow consumers slow
/// the work down instead of growing memory. A job that fails (other than throttling, see
/// <see cref="FanOutOptions.IsThrottled"/>) fails the run at its place in the order, after every earlier result has
/// been yielded; jobs that must not stop the run catch their own errors and return a value that says so.
/// Stopping the enumeration early cancels the jobs still running.</para>
/// <para>The limiter learns about 429s and successes from whoever sees the HTTP attempts (the cmdlets' request
/// observer); this class reports only item-level throttling failures to it.</para>
/// </summary>
internal static class OrderedFanOut
{
    public static async IAsyncEnumerable<TOut> RunAsync<TIn, TOut>(IAsyncEnumerable<TIn> source,
        Func<TIn, CancellationToken, Task<TOut>> work, AdaptiveConcurrencyLimiter limiter, FanOutOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (source is null) throw new ArgumentNullException(nameof(source));
        if (work is null) throw new ArgumentNullException(nameof(work));
        if (limiter is null) throw new ArgumentNullException(nameof(limiter));
        options ??= FanOutOptions.Default;
        var window = options.Window > 0 ? options.Window : Math.Max(2, limiter.Limit * 2);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        var queue = new Queue<Task<TOut>>();
        var ready = new SemaphoreSlim(0);
        var room = new SemaphoreSlim(window);
        Exception? pumpFault = null;

        async Task PumpAsync()
        {
            try
            {
                await foreach (var item in source.WithCancellation(token).ConfigureAwait(false))
                {
                    await room.WaitAsync(token).ConfigureAwait(false);
                    var lease = await limiter.AcquireAsync(token).ConfigureAwait(false);
                    var job = RunOneAsync(item, lease, work, limiter, options, token);
                    lock (queue) queue.Enqueue(job);
                    ready.Release();
                }
            }
            catch (Exception ex)
            {
                pumpFault = ex;
            }
            finally
            {
                ready.Release(); // the end marker: the consumer finds the queue empty after it
            }
        }

        var pump = Task.Run(PumpAsync, CancellationToken.None);
        try
        {
            while (true)
            {
                await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
                Task<TOut>? head;
                lock (queue) head = queue.Count > 0 ? queue.Dequeue() : null;
                if (head is null)
                {
                    if (pumpFault is { } fault && !(fault is OperationCanceledException && token.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fault).Throw();
                    yield break;
                }
                var result = await head.ConfigureAwait(false);
                room.Release();
                yield return result;
            }
        }
        finally
        {
            stop.Cancel();
            try { await pump.ConfigureAwait(false); } catch (Exception) { /* its fault was reported above or is moot */ }
            Task<TOut>[] left;
            lock (queue) left = queue.ToArray();
            foreach (var job in left)
            {
                try { await job.ConfigureAwait(false); } catch (Exception) { /* cancelled with the run */ }
            }
            ready.Dispose();
            room.Dispose();
        }
    }

    private static async Task<TOut> RunOneAsync<TIn, TOut>(TIn item, IDisposable lease, Func<TIn, CancellationToken, Task<TOut>> work,
        AdaptiveConcurrencyLimiter limiter, FanOutOptions options, CancellationToken token)
    {
        var retries = 0;
        try
        {
            // Yield first so the pump can start the next job while this one sends its request.
            await Task.Yield();
            while (true)
            {
                try
                {
                    return await work(item, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!token.IsCancellationRequested && options.IsThrottled?.Invoke(ex) == true && retries++ < options.ThrottleRetries)
                {
                    limiter.OnThrottled(null);
                    lease.Dispose();
                    lease = await limiter.AcquireAsync(token).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lease.Dispose();
        }
    }
}
