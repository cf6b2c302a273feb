using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// Bounds how many requests run at once: never more than <see cref="Limit"/> (the user's -ThrottleLimit), and fewer
/// while Graph throttles. A 429 cuts the effective limit to <see cref="DecreaseFactor"/> of itself (once per
/// throttling episode: the many 429s of one burst, and those of requests sent before the cut took effect, count as
/// one) and pauses new starts until its Retry-After has passed; every <see cref="EffectiveLimit"/> successful
/// requests without a 429 give one slot back, so the rate creeps back up to what Graph allows (AIMD, as TCP).
/// The steady pacing to Graph's ceilings is the connection's <see cref="Connection.RequestBudget"/>. It learns of 429s and successes through
/// <see cref="OnResponse"/> (fed by whoever sees every HTTP attempt, including the SDK's retries).
/// The module's one limiter: the per-record expansions and the PSTN-type log windows both use it.
/// Thread-safe; any number of callers may acquire concurrently.
/// </summary>
internal sealed class AdaptiveConcurrencyLimiter
{
    /// <summary>Used when a 429 carries no Retry-After.</summary>
    public static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly Func<TimeSpan> _clock;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly List<TaskCompletionSource<bool>> _waiters = new();
    private int _effective;
    private int _inFlight;
    private int _peak;
    private int _successes;
    private int _sinceShrink = int.MaxValue;
    private int _throttles;
    private TimeSpan _resumeAt;

    public AdaptiveConcurrencyLimiter(int limit) : this(limit, StopwatchClock()) { }

    /// <param name="clock">Monotonic time, for tests.</param>
    /// <param name="delay">How a pause is waited out (Task.Delay unless a test drives time itself).</param>
    /// <param name="limit">The most requests in flight (-ThrottleLimit).</param>
    internal AdaptiveConcurrencyLimiter(int limit, Func<TimeSpan> clock, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), "The limit must be at least 1.");
        Limit = limit;
        _effective = limit;
        _clock = clock;
        _delay = delay ?? Task.Delay;
    }

    /// <summary>What a throttling episode leaves of the allowance (3/4: the Retry-After pause already slows the rate
    /// down, so halving as well left the client well under the ceiling in the benchmark).</summary>
    public double DecreaseFactor { get; set; } = 0.75;


    /// <summary>The ceiling: in-flight never exceeds it.</summary>
    public int Limit { get; }

    /// <summary>The current allowance (1..Limit); lower after 429s.</summary>
    public int EffectiveLimit { get { lock (_gate) return _effective; } }

    public int InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>The most requests that were ever in flight together.</summary>
    public int PeakInFlight { get { lock (_gate) return _peak; } }

    /// <summary>Throttling episodes (each one shrank the allowance).</summary>
    public int ThrottleEpisodes { get { lock (_gate) return _throttles; } }

    /// <summary>Raised (outside the lock) when a 429 shrinks the allowance: the new allowance and the pause.</summary>
    public event Action<int, TimeSpan>? Throttled;

    /// <summary>Waits for a slot (and for any Retry-After pause); dispose the lease when the work is done.</summary>
    public Task<IDisposable> AcquireAsync(CancellationToken cancellationToken) => AcquireSlotAsync(cancellationToken);

    /// <summary>Waits until no Retry-After pause holds new starts (without taking a slot).</summary>
    public async Task WaitForResumeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan pause;
            lock (_gate) pause = _resumeAt - _clock();
            if (pause <= TimeSpan.Zero) return;
            await _delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One HTTP attempt's outcome: 429 shrinks the allowance (honouring Retry-After), 2xx grows it.</summary>
    public void OnResponse(RequestTrace trace)
    {
        if (trace.Status == 429) OnThrottled(trace.RetryAfter);
        else if (trace.Status is >= 200 and < 300) OnSuccess();
    }

    /// <summary>An observer that feeds <see cref="OnResponse"/> and passes the trace on.</summary>
    public IRequestObserver Observe(IRequestObserver? next) => new Observer(this, next);

    private async Task<IDisposable> AcquireSlotAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TaskCompletionSource<bool>? wake = null;
            TimeSpan pause;
            lock (_gate)
            {
                var now = _clock();
                pause = _resumeAt - now;
                if (pause <= TimeSpan.Zero && _inFlight < _effective)
                {
                    _inFlight++;
                    if (_inFlight > _peak) _peak = _inFlight;
                    return new Lease(this);
                }
                if (pause <= TimeSpan.Zero)
                {
                    wake = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Add(wake);
                }
            }
            if (wake is null)
            {
                await _delay(pause, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (cancellationToken.Register(() => wake.TrySetCanceled()))
            {
                try
                {
                    await wake.Task.ConfigureAwait(false);
                }
                finally
                {
                    lock (_gate) _waiters.Remove(wake);
                }
            }
        }
    }

    /// <summary>Graph answered 429: shrink the allowance (once per episode) and pause new starts.</summary>
    public void OnThrottled(TimeSpan? retryAfter)
    {
        var wait = retryAfter is { } r && r > TimeSpan.Zero ? r : DefaultPause;
        int effective;
        lock (_gate)
        {
            var now = _clock();
            // Same episode: inside the pause, or before a full allowance of requests has succeeded since the last
            // shrink (the 429s of requests sent before the shrink took effect, e.g. the SDK's retries).
            var inEpisode = now < _resumeAt || _sinceShrink < _effective;
            if (now + wait > _resumeAt) _resumeAt = now + wait;
            _successes = 0;
            if (inEpisode) return;
            _sinceShrink = 0;
            _throttles++;
            _effective = Math.Max(1, (int)(_effective * DecreaseFactor));
            effective = _effective;
        }
        Throttled?.Invoke(effective, wait);
    }

    /// <summary>A request succeeded: after a full allowance of successes without a 429, allow one more.</summary>
    public void OnSuccess()
    {
        lock (_gate)
        {
            if (_sinceShrink < int.MaxValue) _sinceShrink++;
            if (_effective >= Limit) return;
            if (++_successes < _effective) return;
            _successes = 0;
            _effective++;
            WakeAll();
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            WakeAll();
        }
    }

    // Called under the lock; each woken waiter re-checks, so waking all is simple and never loses a wake-up.
    private void WakeAll()
    {
        foreach (var w in _waiters) w.TrySetResult(true);
        _waiters.Clear();
    }

    private static Func<TimeSpan> StopwatchClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    private sealed class Observer : IRequestObserver
    {
        private readonly AdaptiveConcurrencyLimiter _limiter;
        private readonly IRequestObserver? _next;

        public Observer(AdaptiveConcurrencyLimiter limiter, IRequestObserver? next)
        {
            _limiter = limiter;
            _next = next;
        }

        public void OnRequest(RequestTrace trace)
        {
            _limiter.OnResponse(trace);
            _next?.OnRequest(trace);
        }
    }

    private sealed class Lease : IDisposable
    {
        private AdaptiveConcurrencyLimiter? _owner;

        public Lease(AdaptiveConcurrencyLimiter owner) => _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
    }
}
