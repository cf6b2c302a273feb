using System;
using System.Globalization;
using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Graph;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// What an async producer gets for one cmdlet run: the connection, a page streamer and record reader bound to it
/// (reporting each request for -Verbose), and thread-safe ways to reach the pipeline thread.
/// </summary>
internal sealed class CmdletOperation : IRequestObserver
{
    private readonly PipelineBridge _bridge;

    public CmdletOperation(CallRecordConnection connection, PipelineBridge bridge, string? apiVersion = null)
    {
        Connection = connection;
        _bridge = bridge;
        Pages = connection.Session.CreateStreamer(this, apiVersion);
        // Retry and backoff decisions are -Debug material; -Verbose stays one line per request.
        Pages.Retrying += text => WriteDebug("Page retry: " + text);
        Pages.Notice += WriteVerbose;
        Records = new CallRecordReader(Pages);
        Writer = connection.Session.CreateWriter(this, apiVersion);
        Writer.Sending += WriteVerbose;
    }

    public CallRecordConnection Connection { get; }
    public PageStreamer Pages { get; }
    public CallRecordReader Records { get; }
    /// <summary>The write operations (POST/PATCH/DELETE), reporting what they send for -Verbose.</summary>
    public CallRecordWriter Writer { get; }

    /// <summary>Whether this run writes progress records: <see cref="ProgressPolicy"/>'s decision, made on the pipeline
    /// thread when the run starts. Every progress writer checks it.</summary>
    public bool ShowProgress { get; set; }

    /// <summary>Raised (on any thread) once per HTTP attempt of this run, after its response or failure; progress
    /// counts requests with it.</summary>
    public event Action? RequestObserved;

    /// <summary>The concurrency limiter of this run's fan-out, when it has one (see <see cref="UseLimiter"/>).</summary>
    public AdaptiveConcurrencyLimiter? Limiter { get; private set; }

    /// <summary>Creates the run's limiter; every HTTP attempt of the run then feeds it (429 shrinks, 2xx grows).</summary>
    public AdaptiveConcurrencyLimiter UseLimiter(int throttleLimit)
    {
        // No pacing here: the connection's request budget (Connection/RequestBudget) paces every request of every run on it.
        var limiter = new AdaptiveConcurrencyLimiter(throttleLimit);
        limiter.Throttled += (allowance, pause) =>
            WriteVerbose($"Graph is throttling: at most {allowance} concurrent request(s) from now on, new requests paused for {pause.TotalSeconds:0.#} s.");
        Limiter = limiter;
        return limiter;
    }

    public void WriteVerbose(string text) => _bridge.Post(c => c.WriteVerbose(text));
    public void WriteDebug(string text) => _bridge.Post(c => c.WriteDebug(text));
    public void WriteWarning(string text) => _bridge.Post(c => c.WriteWarning(text));
    public void WriteError(ErrorRecord record)
    {
        // Inside a fan-out's work for one input: held until that input's turn (CollectErrors).
        if (_collected.Value is { } held) lock (held) held.Add(record);
        else _bridge.Post(c => c.WriteError(record));
    }

    /// <summary>A non-terminating error for one input item, mapped like every other failure.</summary>
    public void WriteError(Exception exception, object? target, string? errorId = null) => WriteError(ErrorMapper.ToErrorRecord(exception, target, errorId));

    private readonly System.Threading.AsyncLocal<System.Collections.Generic.List<ErrorRecord>?> _collected = new();

    /// <summary>From here on in this async flow (one input's work), errors go to <paramref name="into"/> instead of the
    /// pipeline; the fan-out writes them when that input's output is written.</summary>
    public void CollectErrors(System.Collections.Generic.List<ErrorRecord> into) => _collected.Value = into;
    public void Post(Action<CallRecordCmdlet> action) => _bridge.Post(action);

    void IRequestObserver.OnRequest(RequestTrace trace)
    {
        Limiter?.OnResponse(trace);
        RequestObserved?.Invoke();
        WriteVerbose(trace.ToString());
        if (trace.RetryAttempt > 0)
            WriteDebug($"Graph SDK retry handler: retry {trace.RetryAttempt.ToString(CultureInfo.InvariantCulture)} of {trace.Method} {trace.Uri.AbsoluteUri}.");
        if (trace.Status is 429 or 503 or 504)
        {
            var wait = trace.RetryAfter is { } after
                ? $"Retry-After {after.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
                : "no Retry-After, exponential backoff";
            WriteDebug($"Graph answered {trace.Status.Value.ToString(CultureInfo.InvariantCulture)} to {trace.Method} {trace.Uri.AbsoluteUri} ({wait}); " +
                "the Graph SDK retry handler waits and retries until its retry limit, then the error is reported.");
        }
    }
}
