using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Connection;
using CallRecords.Graph;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Base of every data cmdlet: -Connection (beats the default connection), resolving the connection, running an
/// async producer on the thread pool and draining its output on the pipeline thread (the only thread that may call
/// WriteObject/WriteError/WriteVerbose/WriteProgress), cancelling on Ctrl+C or when downstream stops, and mapping
/// failures to ErrorRecords.
/// </summary>
public abstract class CallRecordCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _owned = new();
    private bool? _showProgress;

    /// <summary>The connection to use instead of the default one (Connect-CallRecordGraph -PassThru).</summary>
    [Parameter]
    [ValidateNotNull]
    public CallRecordConnection? Connection { get; set; }

    /// <summary>Signalled by StopProcessing (Ctrl+C, or a downstream Select-Object -First).</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>Whether this invocation writes progress (<see cref="ProgressPolicy"/>), decided once. Pipeline thread
    /// only: the decision reads the host.</summary>
    internal bool ShowProgress => _showProgress ??= ProgressPolicy.ShouldWrite(this);

    /// <summary>-Connection, else the connection the input was read through (<paramref name="origin"/>), else the
    /// process-wide default; a terminating error when there is none.</summary>
    internal CallRecordConnection ResolveConnection(CallRecordConnection? origin = null)
    {
        var connection = Connection ?? origin ?? ConnectionRegistry.Default;
        if (connection is null) ThrowTerminatingError(ErrorMapper.ToErrorRecord(CallRecordsException.NotConnected(), MyInvocation.MyCommand?.Name));
        if (connection!.Failure is { } failure) ThrowTerminatingError(ErrorMapper.ToErrorRecord(CallRecordsException.ConnectionBroken(failure), connection));
        if (connection.IsClosed) ThrowTerminatingError(ErrorMapper.ToErrorRecord(CallRecordsException.ConnectionClosed(), connection));
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="source"/> on the thread pool and writes its batches here, as they arrive. The source is
    /// asked for its next batch only after the pipeline has taken the previous one, so a page streamer behind it
    /// has at most one page in flight beyond what the pipeline holds. A failure of the source ends the cmdlet with a
    /// terminating error (after everything it produced before is written).
    /// </summary>
    /// <param name="target">The TargetObject of a terminating error of this run (a write's "session 'x' of call record
    /// 'y'"); without one, a Graph failure names its request URL and anything else the connection.</param>
    /// <param name="source">The async producer of this run: gets the run (connection, streamer, bridge) and its cancellation.</param>
    /// <param name="apiVersion">The Graph version the run reads (v1.0 or beta); null: the connection's.</param>
    internal void RunStream<T>(Func<CmdletOperation, CancellationToken, IAsyncEnumerable<IReadOnlyList<T>>> source, string? apiVersion = null, object? target = null)
    {
        var stream = StartStream(source, apiVersion, target);
        try
        {
            PumpStream(stream, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            StopStream(stream);
        }
    }

    /// <summary>
    /// Starts <paramref name="source"/> on the thread pool without waiting for it: for cmdlets whose producer
    /// outlives one ProcessRecord (a fan-out fed by pipeline input). Drain it with <see cref="PumpStream"/> on the
    /// pipeline thread and always end it with <see cref="StopStream"/>.
    /// </summary>
    internal ActiveStream StartStream<T>(Func<CmdletOperation, CancellationToken, IAsyncEnumerable<IReadOnlyList<T>>> source, string? apiVersion = null, object? target = null,
        CallRecordConnection? origin = null)
    {
        var connection = ResolveConnection(origin);
        var showProgress = ShowProgress;
        var operation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var bridge = new PipelineBridge();
        CmdletOperation context;
        try
        {
            context = new CmdletOperation(connection, bridge, apiVersion) { ShowProgress = showProgress };
        }
        catch (Exception ex)
        {
            operation.Dispose();
            bridge.Dispose();
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(ex, connection));
            throw; // not reached: ThrowTerminatingError throws
        }
        var token = operation.Token;
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in source(context, token).WithCancellation(token).ConfigureAwait(false))
                {
                    // What this run read carries its connection, so the next cmdlet in the pipeline reads the same tenant.
                    foreach (var item in batch) Runtime.Origins.Stamp(item, connection);
                    await bridge.SendAsync(batch, token).ConfigureAwait(false);
                }
                bridge.Complete(null);
            }
            catch (Exception ex)
            {
                bridge.Complete(ex);
            }
        });
        return new ActiveStream(bridge, operation, producer) { Target = target, Connection = connection };
    }

    /// <summary>
    /// Pipeline thread: writes what the stream has produced. Waits up to <paramref name="firstWait"/> for the first
    /// entry (infinite: until the stream ends), then takes whatever else is ready without waiting. True once the
    /// stream has ended; a failure of the source becomes a terminating error here.
    /// </summary>
    internal bool PumpStream(ActiveStream stream, TimeSpan firstWait)
    {
        if (stream.Ended) return true;
        var untilEnd = firstWait == Timeout.InfiniteTimeSpan;
        var wait = firstWait;
        try
        {
            while (true)
            {
                var entry = stream.Bridge.TryTake(wait, stream.Token);
                if (entry is null) return false;
                if (ReferenceEquals(entry, PipelineBridge.Entry.End))
                {
                    stream.Ended = true;
                    if (stream.Bridge.Fault is { } fault)
                    {
                        if (fault is OperationCanceledException && _stopping.IsCancellationRequested) throw new PipelineStoppedException();
                        // Every terminating error names what failed: the run's target, else the request, else the connection.
                        ThrowTerminatingError(ErrorMapper.ToErrorRecord(fault, stream.Target ?? (fault as GraphRequestException)?.RequestUri ?? (object?)stream.Connection));
                    }
                    return true;
                }
                entry.Action?.Invoke(this);
                if (entry.Batch is not null)
                {
                    entry.Taken!.TrySetResult(true);
                    foreach (var item in entry.Batch) WriteObject(item);
                }
                if (!untilEnd) wait = TimeSpan.Zero;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Cancels what is still running and waits for the producer to observe it; safe to call twice.</summary>
    internal static void StopStream(ActiveStream stream)
    {
        // Downstream may have stopped the pipeline (WriteObject threw), or we are done: either way nothing of
        // this run may keep requesting. Wait for the producer to observe the cancellation.
        if (stream.Stopped) return;
        stream.Stopped = true;
        stream.Operation.Cancel();
        try { stream.Producer.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        stream.Operation.Dispose();
        stream.Bridge.Dispose();
    }

    /// <summary>A producer started by <see cref="StartStream"/>.</summary>
    internal sealed class ActiveStream
    {
        public ActiveStream(PipelineBridge bridge, CancellationTokenSource operation, Task producer)
        {
            Bridge = bridge;
            Operation = operation;
            Producer = producer;
            Token = operation.Token;
        }

        public PipelineBridge Bridge { get; }
        public CancellationTokenSource Operation { get; }
        public CancellationToken Token { get; }
        public Task Producer { get; }
        public bool Ended { get; set; }
        public bool Stopped { get; set; }
        /// <summary>TargetObject of a terminating failure, when the cmdlet has one better than the request URL.</summary>
        public object? Target { get; set; }
        public CallRecordConnection? Connection { get; set; }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Disposed with the cmdlet (the engine disposes it even when the pipeline stops early).</summary>
    internal T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public void Dispose()
    {
        foreach (var resource in _owned) resource.Dispose();
        _owned.Clear();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
