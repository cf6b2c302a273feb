using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;

namespace CallRecords.Cmdlets;

/// <summary>
/// Pipeline input → one async job per input item → output in input order, with up to -ThrottleLimit jobs in flight
/// across ProcessRecord calls (an <see cref="OrderedFanOut"/> fed by an <see cref="InputQueue{T}"/>). ProcessRecord
/// calls <see cref="Add"/>, which writes whatever output is ready and waits only while the backlog is full;
/// EndProcessing calls <see cref="Finish"/>; the cmdlet's Dispose calls Dispose. Progress: one
/// <see cref="ExpansionProgress"/> step per input item, in output order, completed when the fan-out ends.
/// </summary>
internal sealed class PipelineFanOut<TIn, TOut> : IDisposable
{
    private static readonly TimeSpan BacklogPoll = TimeSpan.FromMilliseconds(20);

    private readonly CallRecordCmdlet _cmdlet;
    private readonly int _throttleLimit;
    private readonly Func<CmdletOperation, TIn, CancellationToken, Task<IReadOnlyList<TOut>>> _work;
    private readonly Func<TIn, string> _describe;
    private InputQueue<TIn> _input = new();
    private CallRecordCmdlet.ActiveStream? _stream;

    /// <param name="work">One input item's output; it reports its own non-terminating errors (op.WriteError) and
    /// returns an empty list for them. Anything it throws ends the cmdlet.</param>
    /// <param name="unit">What the progress bar counts, e.g. "call records read".</param>
    /// <param name="describe">An input item as the bar's current operation, e.g. "call record {id}".</param>
    public PipelineFanOut(CallRecordCmdlet cmdlet, int throttleLimit, Func<CmdletOperation, TIn, CancellationToken, Task<IReadOnlyList<TOut>>> work,
        string unit, Func<TIn, string> describe)
    {
        _cmdlet = cmdlet;
        _throttleLimit = throttleLimit;
        _work = work;
        _describe = describe;
        var name = cmdlet.MyInvocation.MyCommand?.Name ?? cmdlet.GetType().Name;
        Progress = new ExpansionProgress(ExpansionProgress.FanOutActivityId, $"{name}: {unit}", unit);
        // Input given as parameters (nothing piped) is all there is: ProcessRecord runs once.
        if (!cmdlet.MyInvocation.ExpectingInput) Progress.Total = 1;
    }

    /// <summary>The fan-out's bar; a cmdlet that adds several items from one ProcessRecord sets its Total first.</summary>
    public ExpansionProgress Progress { get; }

    /// <param name="origin">The connection the input was read through: used when the cmdlet has no -Connection. Input
    /// from another connection than the running one first finishes the running stream (output stays in input order).</param>
    public void Add(TIn item, Connection.CallRecordConnection? origin = null)
    {
        if (_stream is not null && _cmdlet.Connection is null && origin is not null && !ReferenceEquals(origin, _stream.Connection))
        {
            _input.Complete();
            try
            {
                _cmdlet.PumpStream(_stream, Timeout.InfiniteTimeSpan);
            }
            finally
            {
                CallRecordCmdlet.StopStream(_stream);
                _stream = null;
                _input.Dispose();
                _input = new InputQueue<TIn>();
            }
        }
        _stream ??= _cmdlet.StartStream<TOut>(Produce, origin: origin);
        _input.Add(item);
        if (_cmdlet.PumpStream(_stream, TimeSpan.Zero)) return;
        // Enough queued to keep every slot busy: let the pipeline wait rather than buffer the whole input.
        while (_input.Count > _throttleLimit * 2)
            if (_cmdlet.PumpStream(_stream, BacklogPoll)) return;
    }

    public void Finish()
    {
        if (_stream is null) return;
        _input.Complete();
        try
        {
            _cmdlet.PumpStream(_stream, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            CallRecordCmdlet.StopStream(_stream);
        }
    }

    /// <summary>-Skip/-First over the output (in input order): once -First is met nothing more is read.</summary>
    public PagingWindow? Window { get; set; }

    private IAsyncEnumerable<IReadOnlyList<TOut>> Produce(CmdletOperation op, CancellationToken ct) =>
        Window is { } window ? window.Apply(ProduceAll(op, ct), ct) : ProduceAll(op, ct);

    private async IAsyncEnumerable<IReadOnlyList<TOut>> ProduceAll(CmdletOperation op, [EnumeratorCancellation] CancellationToken ct)
    {
        var limiter = op.UseLimiter(_throttleLimit);
        Progress.Observe(op);
        var results = OrderedFanOut.RunAsync(_input.ReadAllAsync(ct), async (item, t) => (Item: item, Output: await _work(op, item, t).ConfigureAwait(false)),
            limiter, FanOut.Options, ct);
        try
        {
            await foreach (var (item, batch) in results.ConfigureAwait(false))
            {
                Progress.Item(op, _describe(item));
                if (batch.Count > 0) yield return batch;
            }
        }
        finally
        {
            Progress.Complete(op);
        }
    }

    public void Dispose()
    {
        if (_stream is not null) CallRecordCmdlet.StopStream(_stream);
        _input.Dispose();
    }
}

/// <summary>-ThrottleLimit's default and the fan-out options every cmdlet shares.</summary>
internal static class FanOut
{
    /// <summary>
    /// Graph allows 1,500 requests per 20 s per app per tenant (75/s) and 40 per 20 s on one call record. By Little's
    /// law the concurrency that sustains 75 requests/s is 75 × latency: 11 at 150 ms, 15 at 200 ms, 22 at the 300 ms
    /// end of what call-record GETs take. 24 reaches the ceiling across that range; where latency is lower, the pacing
    /// (<see cref="GraphRequestsPerSecond"/>) rather than the concurrency holds the rate under the ceiling, and the
    /// 429 backoff covers what neither can know. bench/ measures it (docs/performance.md).
    /// </summary>
    public const int DefaultThrottleLimit = 24;

    /// <summary>Graph's per-app-per-tenant ceiling, 1,500 requests per 20 s, less 5 % for the list pages and the
    /// pacer's catch-up: the fan-out paces its starts to it.</summary>
    public const double GraphRequestsPerSecond = 0.95 * 1500 / 20.0;

    /// <summary>The upper bound of -ThrottleLimit.</summary>
    public const int MaxThrottleLimit = 256;

    public static readonly FanOutOptions Options = new()
    {
        IsThrottled = ex => ex is GraphRequestException { StatusCode: 429 },
    };
}
