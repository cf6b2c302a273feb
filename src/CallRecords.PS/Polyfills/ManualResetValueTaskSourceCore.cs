using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace System.Threading.Tasks.Sources
{
    /// <summary>
    /// The resettable promise behind each async iterator's MoveNextAsync/DisposeAsync (see AsyncEnumerable.cs for why
    /// this assembly has its own). One producer completes it (SetResult/SetException) and one consumer awaits it
    /// (OnCompleted, then GetResult) per <see cref="Version"/>; <see cref="Reset"/> starts the next round.
    /// Whichever of completion and OnCompleted comes second runs the continuation; the handshake is one
    /// compare-exchange on the continuation field.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    internal struct ManualResetValueTaskSourceCore<TResult>
    {
        /// <summary>Stored in place of a continuation once the operation has completed.</summary>
        private static readonly Action<object?> CompletedSentinel = _ => throw new InvalidOperationException("Completion sentinel invoked.");

        private Action<object?>? _continuation;
        private object? _continuationState;
        private ExecutionContext? _executionContext;
        private object? _schedulingContext; // a SynchronizationContext or a TaskScheduler
        private ExceptionDispatchInfo? _error;
        private TResult? _result;
        private bool _completed;
        private short _version;

        /// <summary>Run the continuation on the thread pool (or the captured context) rather than inline on the
        /// completing thread.</summary>
        public bool RunContinuationsAsynchronously { get; set; }

        public short Version => _version;

        public void Reset()
        {
            _version++;
            Volatile.Write(ref _completed, false);
            _result = default;
            _error = null;
            _executionContext = null;
            _schedulingContext = null;
            _continuationState = null;
            _continuation = null;
        }

        public void SetResult(TResult result)
        {
            _result = result;
            SignalCompletion();
        }

        public void SetException(Exception error)
        {
            _error = ExceptionDispatchInfo.Capture(error);
            SignalCompletion();
        }

        public ValueTaskSourceStatus GetStatus(short token)
        {
            ValidateToken(token);
            if (!Volatile.Read(ref _completed)) return ValueTaskSourceStatus.Pending;
            if (_error is null) return ValueTaskSourceStatus.Succeeded;
            return _error.SourceException is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
        }

        public TResult GetResult(short token)
        {
            ValidateToken(token);
            if (!Volatile.Read(ref _completed)) throw new InvalidOperationException("The operation has not completed yet.");
            _error?.Throw();
            return _result!;
        }

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            if (continuation is null) throw new ArgumentNullException(nameof(continuation));
            ValidateToken(token);
            if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0) _executionContext = ExecutionContext.Capture();
            if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0)
            {
                var synchronizationContext = SynchronizationContext.Current;
                if (synchronizationContext is not null && synchronizationContext.GetType() != typeof(SynchronizationContext)) _schedulingContext = synchronizationContext;
                else if (TaskScheduler.Current != TaskScheduler.Default) _schedulingContext = TaskScheduler.Current;
            }
            // The state is published by the compare-exchange below (a full fence), before the completing side can see
            // the continuation.
            _continuationState = state;
            var previous = Interlocked.CompareExchange(ref _continuation, continuation, null);
            if (previous is null) return;
            if (!ReferenceEquals(previous, CompletedSentinel)) throw new InvalidOperationException("Only one continuation can wait on the operation.");
            // Completed already: run it, but never inline here (the awaiter's caller is mid-registration).
            Dispatch(continuation, state, _executionContext, _schedulingContext, forceAsync: true);
        }

        private void SignalCompletion()
        {
            if (_completed) throw new InvalidOperationException("The operation has already completed.");
            Volatile.Write(ref _completed, true);
            var continuation = Volatile.Read(ref _continuation) ?? Interlocked.CompareExchange(ref _continuation, CompletedSentinel, null);
            if (continuation is null) return; // the consumer will find the sentinel and run its continuation itself
            Dispatch(continuation, _continuationState, _executionContext, _schedulingContext, RunContinuationsAsynchronously);
        }

        private readonly void ValidateToken(short token)
        {
            if (token != _version) throw new InvalidOperationException("The operation's version no longer matches: it was awaited after being reset.");
        }

        private static void Dispatch(Action<object?> continuation, object? state, ExecutionContext? executionContext, object? schedulingContext, bool forceAsync)
        {
            switch (schedulingContext)
            {
                case SynchronizationContext context:
                    context.Post(s => Invoke((Work)s!), new Work(continuation, state, executionContext));
                    return;
                case TaskScheduler scheduler:
                    Task.Factory.StartNew(s => Invoke((Work)s!), new Work(continuation, state, executionContext), CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
                    return;
            }
            if (forceAsync)
                ThreadPool.QueueUserWorkItem(s => Invoke((Work)s!), new Work(continuation, state, executionContext));
            else
                Invoke(new Work(continuation, state, executionContext));
        }

        private static void Invoke(Work work)
        {
            if (work.ExecutionContext is null) work.Continuation(work.State);
            else ExecutionContext.Run(work.ExecutionContext, s => { var w = (Work)s!; w.Continuation(w.State); }, work);
        }

        private sealed class Work
        {
            public Work(Action<object?> continuation, object? state, ExecutionContext? executionContext)
            {
                Continuation = continuation;
                State = state;
                ExecutionContext = executionContext;
            }

            public Action<object?> Continuation { get; }
            public object? State { get; }
            public ExecutionContext? ExecutionContext { get; }
        }
    }
}
