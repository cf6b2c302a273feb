using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Connection;

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

    /// <summary>The connection to use instead of the default one (Connect-CallRecordGraph -PassThru).</summary>
    [Parameter]
    [ValidateNotNull]
    public CallRecordConnection? Connection { get; set; }

    /// <summary>Signalled by StopProcessing (Ctrl+C, or a downstream Select-Object -First).</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>-Connection, else the process-wide default; a terminating error when there is none.</summary>
    internal CallRecordConnection ResolveConnection()
    {
        var connection = Connection ?? ConnectionRegistry.Default;
        if (connection is null) ThrowTerminatingError(ErrorMapper.ToErrorRecord(CallRecordsException.NotConnected(), null));
        if (connection!.IsClosed) ThrowTerminatingError(ErrorMapper.ToErrorRecord(CallRecordsException.ConnectionClosed(), connection));
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="source"/> on the thread pool and writes its batches here, as they arrive. The source is
    /// asked for its next batch only after the pipeline has taken the previous one, so a page streamer behind it
    /// has at most one page in flight beyond what the pipeline holds. A failure of the source ends the cmdlet with a
    /// terminating error (after everything it produced before is written).
    /// </summary>
    internal void RunStream<T>(Func<CmdletOperation, CancellationToken, IAsyncEnumerable<IReadOnlyList<T>>> source, string? apiVersion = null)
    {
        var connection = ResolveConnection();
        using var operation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        using var bridge = new PipelineBridge();
        CmdletOperation context;
        try
        {
            context = new CmdletOperation(connection, bridge, apiVersion);
        }
        catch (Exception ex)
        {
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(ex, connection));
            return;
        }
        var token = operation.Token;
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in source(context, token).WithCancellation(token).ConfigureAwait(false))
                    await bridge.SendAsync(batch, token).ConfigureAwait(false);
                bridge.Complete(null);
            }
            catch (Exception ex)
            {
                bridge.Complete(ex);
            }
        });
        try
        {
            while (bridge.TryTake(token, out var entry))
            {
                entry.Action?.Invoke(this);
                if (entry.Batch is null) continue;
                entry.Taken!.TrySetResult(true);
                foreach (var item in entry.Batch) WriteObject(item);
            }
            if (bridge.Fault is { } fault)
            {
                if (fault is OperationCanceledException && _stopping.IsCancellationRequested) throw new PipelineStoppedException();
                ThrowTerminatingError(ErrorMapper.ToErrorRecord(fault, null));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            // Downstream may have stopped the pipeline (WriteObject threw), or we are done: either way nothing of
            // this run may keep requesting. Wait for the producer to observe the cancellation.
            operation.Cancel();
            try { producer.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
