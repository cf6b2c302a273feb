extern alias root;
using System.Threading.Tasks.Sources;
using Xunit;
using Core = root::System.Threading.Tasks.Sources.ManualResetValueTaskSourceCore<int>;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The root assembly's own promise behind async iterators (src/CallRecords.PS/Polyfills): both orders of
/// completion and registration, errors, cancellation status, and reuse across versions.</summary>
public class AsyncPolyfillTests
{
    private sealed class Source : IValueTaskSource<int>
    {
        public Core Core;
        public int GetResult(short token) => Core.GetResult(token);
        public ValueTaskSourceStatus GetStatus(short token) => Core.GetStatus(token);
        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            Core.OnCompleted(continuation, state, token, flags);
        public ValueTask<int> Task => new(this, Core.Version);
    }

    [Fact]
    public async Task CompletesAnAwaiterThatRegisteredFirstAndOneThatCameLate()
    {
        var s = new Source();
        var pending = s.Task;
        Assert.False(pending.IsCompleted);
        // Register the continuation now (what await does on a pending task), before any result exists.
        var awaited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var awaiter = pending.GetAwaiter();
        awaiter.OnCompleted(() => awaited.SetResult(awaiter.GetResult()));
        Assert.False(awaited.Task.IsCompleted);
        s.Core.SetResult(7);
        Assert.Equal(7, await awaited.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        s.Core.Reset();
        s.Core.SetResult(8);
        var late = s.Task;
        Assert.True(late.IsCompletedSuccessfully);
        Assert.Equal(8, await late);
    }

    [Fact]
    public async Task CarriesErrorsAndCancellation()
    {
        var s = new Source();
        var failing = s.Task;
        s.Core.SetException(new InvalidOperationException("boom"));
        Assert.Equal(ValueTaskSourceStatus.Faulted, s.Core.GetStatus(s.Core.Version));
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing)).Message);

        s.Core.Reset();
        s.Core.SetException(new OperationCanceledException());
        Assert.Equal(ValueTaskSourceStatus.Canceled, s.Core.GetStatus(s.Core.Version));
    }

    [Fact]
    public void RefusesAStaleTokenAndASecondCompletion()
    {
        var s = new Source();
        var stale = s.Core.Version;
        s.Core.SetResult(1);
        Assert.Throws<InvalidOperationException>(() => s.Core.SetResult(2));
        s.Core.Reset();
        Assert.Throws<InvalidOperationException>(() => s.Core.GetStatus(stale));
        Assert.Equal(ValueTaskSourceStatus.Pending, s.Core.GetStatus(s.Core.Version));
    }

    [Fact]
    public async Task RunsContinuationsOffTheCompletingThreadWhenAsked()
    {
        var s = new Source();
        s.Core.RunContinuationsAsynchronously = true;
        var completingThread = -1;
        var continuationThread = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.Core.OnCompleted(_ => continuationThread.SetResult(Environment.CurrentManagedThreadId), null, s.Core.Version, ValueTaskSourceOnCompletedFlags.None);
        var gate = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            completingThread = Environment.CurrentManagedThreadId;
            s.Core.SetResult(3);
            gate.Wait(TimeSpan.FromSeconds(10)); // keep this thread busy: an inline continuation would have run here
        });
        thread.Start();
        var ran = await continuationThread.Task.WaitAsync(TimeSpan.FromSeconds(10));
        gate.Set();
        thread.Join();
        Assert.NotEqual(completingThread, ran);
        Assert.Equal(3, s.Core.GetResult(s.Core.Version));
    }
}
