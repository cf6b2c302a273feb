using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

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
    private InputQueue<Input> _input = new();
    private CallRecordCmdlet.ActiveStream? _stream;
    private ExpansionProgress? _progress;
    private int? _total;

    /// <param name="work">One input item's output; it reports its own non-terminating errors (op.WriteError), which
    /// are written in input order with its output, and returns an empty list for them. Anything it throws ends the cmdlet.</param>
    /// <param name="unit">What the progress bar counts, e.g. "call records read".</param>
    /// <param name="describe">An input item as the bar's current operation, e.g. "call record {id}".</param>
    /// <param name="cmdlet">The cmdlet whose pipeline thread writes the output.</param>
    /// <param name="throttleLimit">Inputs in flight at once (-ThrottleLimit).</param>
    public PipelineFanOut(CallRecordCmdlet cmdlet, int throttleLimit, Func<CmdletOperation, TIn, CancellationToken, Task<IReadOnlyList<TOut>>> work,
        string unit, Func<TIn, string> describe)
    {
        _cmdlet = cmdlet;
        _throttleLimit = throttleLimit;
        _work = work;
        _describe = describe;
        Unit = unit;
        // Input given as parameters (nothing piped) is all there is: ProcessRecord runs once.
        if (!cmdlet.MyInvocation.ExpectingInput) _total = 1;
    }

    /// <summary>What the bar counts; a cmdlet may set it until the first input arrives (it depends on the input's level).</summary>
    public string Unit { get; set; }

    /// <summary>The bar's activity id (<see cref="ExpansionProgress.FanOutActivityId"/> unless the cmdlet says otherwise).</summary>
    public int ActivityId { get; set; } = ExpansionProgress.FanOutActivityId;

    /// <summary>The bar's activity text (default "{cmdlet}: {unit}").</summary>
    public string? Activity { get; set; }

    /// <summary>How many inputs there are, when known (ids given as parameters).</summary>
    public int? Total
    {
        get => _progress?.Total ?? _total;
        set { _total = value; if (_progress is not null) _progress.Total = value; }
    }

    /// <summary>The fan-out's bar, created with the first input.</summary>
    private ExpansionProgress Progress
    {
        get
        {
            if (_progress is null)
            {
                var name = _cmdlet.MyInvocation.MyCommand?.Name ?? _cmdlet.GetType().Name;
                _progress = new ExpansionProgress(ActivityId, Activity ?? $"{name}: {Unit}", Unit) { Total = _total };
            }
            return _progress;
        }
    }

    /// <param name="origin">The connection the input was read through: used when the cmdlet has no -Connection. Input
    /// from another connection than the running one first finishes the running stream (output stays in input order).</param>
    /// <param name="item">One pipeline input.</param>
    public void Add(TIn item, Connection.CallRecordConnection? origin = null) => Enqueue(new Input(item, null), origin);

    /// <summary>An input refused before any request (a malformed id, an object that names nothing): its error is written
    /// where its output would have been, after the output of the inputs before it.</summary>
    public void AddRefused(ErrorRecord error)
    {
        if (_stream is null || _stream.Ended) _cmdlet.WriteError(error);
        else Enqueue(new Input(default!, error), _stream.Connection);
    }

    private void Enqueue(Input input, Connection.CallRecordConnection? origin)
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
                _input = new InputQueue<Input>();
            }
        }
        _ = Progress;
        _stream ??= _cmdlet.StartStream<TOut>(Produce, origin: origin);
        _input.Add(input);
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
        var progress = Progress;
        progress.Observe(op);
        var results = OrderedFanOut.RunAsync(_input.ReadAllAsync(ct), async (input, t) =>
        {
            if (input.Refused is { } refused) return (Input: input, Output: (IReadOnlyList<TOut>)Array.Empty<TOut>(), Errors: new List<ErrorRecord> { refused });
            // This input's errors wait for its turn, so errors and objects come out in input order.
            var errors = new List<ErrorRecord>();
            op.CollectErrors(errors);
            var output = await _work(op, input.Item, t).ConfigureAwait(false);
            return (Input: input, Output: output, Errors: errors);
        }, limiter, FanOut.Options, ct);
        try
        {
            await foreach (var (input, batch, errors) in results.ConfigureAwait(false))
            {
                if (input.Refused is null) progress.Item(op, _describe(input.Item));
                foreach (var e in errors) op.Post(c => c.WriteError(e));
                if (batch.Count > 0) yield return batch;
            }
        }
        finally
        {
            progress.Complete(op);
        }
    }

    public void Dispose()
    {
        if (_stream is not null) CallRecordCmdlet.StopStream(_stream);
        _input.Dispose();
    }

    private sealed class Input
    {
        public Input(TIn item, ErrorRecord? refused)
        {
            Item = item;
            Refused = refused;
        }

        public TIn Item { get; }
        public ErrorRecord? Refused { get; }
    }
}

/// <summary>-ThrottleLimit's default and the fan-out options every cmdlet shares.</summary>
internal static class FanOut
{
    /// <summary>
    /// Graph allows 1,500 requests per 20 s per app per tenant (75/s) and 40 per 20 s on one call record. By Little's
    /// law the concurrency that sustains 75 requests/s is 75 × latency: 11 at 150 ms, 15 at 200 ms, 22 at the 300 ms
    /// end of what call-record GETs take. 24 reaches the ceiling across that range; where latency is lower, the
    /// connection's request budget (<see cref="Connection.RequestBudget"/>) rather than the concurrency holds the rate
    /// under the ceiling, and the 429 backoff covers what neither can know. bench/ measures it (docs/performance.md).
    /// </summary>
    public const int DefaultThrottleLimit = 24;

    /// <summary>The upper bound of -ThrottleLimit.</summary>
    public const int MaxThrottleLimit = 256;

    public static readonly FanOutOptions Options = new()
    {
        IsThrottled = ex => ex is GraphRequestException { StatusCode: 429 },
    };
}
