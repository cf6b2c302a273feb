using System;
using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Graph;

namespace CallRecords.Cmdlets;

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
        Pages.Retrying += WriteVerbose;
        Records = new CallRecordReader(Pages);
    }

    public CallRecordConnection Connection { get; }
    public PageStreamer Pages { get; }
    public CallRecordReader Records { get; }

    /// <summary>The concurrency limiter of this run's fan-out, when it has one (see <see cref="UseLimiter"/>).</summary>
    public AdaptiveConcurrencyLimiter? Limiter { get; private set; }

    /// <summary>Creates the run's limiter; every HTTP attempt of the run then feeds it (429 shrinks, 2xx grows).</summary>
    public AdaptiveConcurrencyLimiter UseLimiter(int throttleLimit)
    {
        var limiter = new AdaptiveConcurrencyLimiter(throttleLimit) { MaxStartsPerSecond = FanOut.GraphRequestsPerSecond };
        limiter.Throttled += (allowance, pause) =>
            WriteVerbose($"Graph is throttling: at most {allowance} concurrent request(s) from now on, new requests paused for {pause.TotalSeconds:0.#} s.");
        Limiter = limiter;
        return limiter;
    }

    public void WriteVerbose(string text) => _bridge.Post(c => c.WriteVerbose(text));
    public void WriteWarning(string text) => _bridge.Post(c => c.WriteWarning(text));
    public void WriteError(ErrorRecord record) => _bridge.Post(c => c.WriteError(record));
    /// <summary>A non-terminating error for one input item, mapped like every other failure.</summary>
    public void WriteError(Exception exception, object? target, string? errorId = null) =>
        _bridge.Post(c => c.WriteError(ErrorMapper.ToErrorRecord(exception, target, errorId)));
    public void Post(Action<CallRecordCmdlet> action) => _bridge.Post(action);

    void IRequestObserver.OnRequest(RequestTrace trace)
    {
        if (Limiter is { } limiter)
        {
            if (trace.Status == 429) limiter.OnThrottled(trace.RetryAfter);
            else if (trace.Status is >= 200 and < 300) limiter.OnSuccess();
        }
        WriteVerbose(trace.ToString());
    }
}
