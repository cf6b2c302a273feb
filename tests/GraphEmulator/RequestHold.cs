namespace GraphEmulator;

/// <summary>
/// Holds Graph requests of one route when they arrive (after the first <see cref="PassFirst"/> of them), so tests can
/// see what a client does while requests are outstanding without timing anything: as a barrier
/// (<see cref="ReleaseAt"/>: everything held goes on once that many are held at once, which proves the client had that
/// many in flight), or until the client gives up (Ctrl+C, -First), which <see cref="Aborted"/> counts. A hold that is
/// neither reached nor released within <see cref="Timeout"/> lets its requests go and says so in
/// <see cref="TimedOut"/>, so a test waiting on it fails loudly instead of hanging.
/// </summary>
public sealed class RequestHold : IDisposable
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Timer _timer;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived, _held, _maxHeld, _aborted;
    private bool _timedOut;

    internal RequestHold(string route, int passFirst, int? releaseAt, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(route);
        ArgumentOutOfRangeException.ThrowIfNegative(passFirst);
        if (releaseAt is < 1) throw new ArgumentOutOfRangeException(nameof(releaseAt), "releaseAt must be at least 1.");
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout));
        Route = route;
        PassFirst = passFirst;
        ReleaseAt = releaseAt;
        Timeout = timeout;
        _timer = new Timer(_ => Release(timedOut: true), null, timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public string Route { get; }

    /// <summary>Requests of the route that go through before the hold starts holding.</summary>
    public int PassFirst { get; }

    /// <summary>Release everything held once this many requests are held at once; null: hold until
    /// <see cref="Release"/>, the client aborts, or <see cref="Timeout"/>.</summary>
    public int? ReleaseAt { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Requests of the route since the hold was set (passed, held or released).</summary>
    public int Arrived { get { lock (_gate) return _arrived; } }

    /// <summary>Requests waiting now.</summary>
    public int Held { get { lock (_gate) return _held; } }

    /// <summary>The most requests that were held at once.</summary>
    public int MaxHeld { get { lock (_gate) return _maxHeld; } }

    /// <summary>Held requests the client gave up on (it closed the connection) before they were released.</summary>
    public int Aborted { get { lock (_gate) return _aborted; } }

    public bool Released => _release.Task.IsCompleted;

    /// <summary>The hold let its requests go because <see cref="Timeout"/> passed.</summary>
    public bool TimedOut { get { lock (_gate) return _timedOut; } }

    /// <summary>The barrier was reached: <see cref="ReleaseAt"/> requests were held at once.</summary>
    public bool Reached => ReleaseAt is { } n && MaxHeld >= n;

    /// <summary>Lets every held request (and every later one) go on.</summary>
    public void Release() => Release(timedOut: false);

    /// <summary>Waits until <paramref name="predicate"/> holds for this hold; false when <paramref name="timeout"/>
    /// passes first (assert on it, with the hold's state in the message).</summary>
    public async Task<bool> WaitUntilAsync(Func<RequestHold, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate) changed = _changed.Task;
            if (predicate(this)) return true;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            await Task.WhenAny(changed, Task.Delay(left)).ConfigureAwait(false);
        }
    }

    public override string ToString() =>
        $"hold on {Route}: {Arrived} arrived, {Held} held now, at most {MaxHeld} at once, {Aborted} aborted by the client" +
        (ReleaseAt is { } n ? $", release at {n}" : "") + (TimedOut ? ", timed out" : Released ? ", released" : "");

    public void Dispose()
    {
        _timer.Dispose();
        Release(timedOut: false);
    }

    /// <summary>Called for every request of <see cref="Route"/> when it arrives.</summary>
    internal async Task WaitAsync(CancellationToken aborted)
    {
        lock (_gate)
        {
            _arrived++;
            if (_arrived <= PassFirst || _release.Task.IsCompleted) { Changed(); return; }
            _held++;
            if (_held > _maxHeld) _maxHeld = _held;
            Changed();
        }
        if (ReleaseAt is { } n && Held >= n) Release();
        try
        {
            await _release.Task.WaitAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate) { _aborted++; Changed(); }
            throw;
        }
        finally
        {
            lock (_gate) { _held--; Changed(); }
        }
    }

    private void Release(bool timedOut)
    {
        lock (_gate)
        {
            if (_release.Task.IsCompleted) return;
            _timedOut = timedOut;
            Changed();
        }
        _release.TrySetResult();
    }

    // Under the lock: wake everyone waiting for a change.
    private void Changed()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
