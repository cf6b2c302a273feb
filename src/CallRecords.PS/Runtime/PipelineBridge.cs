using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// Carries work from the async producer (thread pool) to the cmdlet's pipeline thread, in order. Batches of output
/// are handed over as a rendezvous: <see cref="SendAsync"/> completes when the pipeline thread has taken the batch,
/// so the producer can be at most one page ahead (it fetches the next page while the pipeline writes this one).
/// Messages (verbose, warnings, non-terminating errors) never block the producer.
/// </summary>
internal sealed class PipelineBridge : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<Entry> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private bool _completed;

    public Exception? Fault { get; private set; }

    /// <summary>Queues a batch; the task completes once the pipeline thread has taken it.</summary>
    public async Task SendAsync(IEnumerable batch, CancellationToken cancellationToken)
    {
        var taken = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new Entry(null, batch, taken));
        using (cancellationToken.Register(() => taken.TrySetCanceled()))
            await taken.Task.ConfigureAwait(false);
    }

    /// <summary>Queues an action to run on the pipeline thread (WriteVerbose, WriteWarning, WriteError …).</summary>
    public void Post(Action<CallRecordCmdlet> action) => Enqueue(new Entry(action, null, null));

    /// <summary>Ends the stream; <paramref name="fault"/> is raised on the pipeline thread after everything queued.</summary>
    public void Complete(Exception? fault)
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            Fault = fault;
            _queue.Enqueue(Entry.End);
        }
        _available.Release();
    }

    /// <summary>Pipeline thread: the next entry if one arrives within <paramref name="timeout"/> (infinite waits),
    /// else null. <see cref="Entry.End"/> marks the end of the stream.</summary>
    public Entry? TryTake(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_available.Wait(timeout, cancellationToken)) return null;
        lock (_gate) return _queue.Dequeue();
    }

    private void Enqueue(Entry entry)
    {
        lock (_gate)
        {
            // A late message (e.g. the trace of a request cancelled while the run ends) has nowhere to go.
            if (_completed) return;
            _queue.Enqueue(entry);
        }
        _available.Release();
    }

    public void Dispose() => _available.Dispose();

    internal sealed class Entry
    {
        public static readonly Entry End = new(null, null, null);

        public Entry(Action<CallRecordCmdlet>? action, IEnumerable? batch, TaskCompletionSource<bool>? taken)
        {
            Action = action;
            Batch = batch;
            Taken = taken;
        }

        public Action<CallRecordCmdlet>? Action { get; }
        public IEnumerable? Batch { get; }
        public TaskCompletionSource<bool>? Taken { get; }
    }
}
