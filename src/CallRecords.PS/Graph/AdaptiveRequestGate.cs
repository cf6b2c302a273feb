using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// A sliding-window request budget ("at most Limit requests in any Window"), shared by everything that spends the
/// same Graph budget — for the PSTN-type logs, one per connection (200 requests / 60 s per app per tenant).
/// </summary>
internal sealed class RequestRateWindow
{
    private readonly object _gate = new();
    private readonly Queue<long> _stamps = new();
    private readonly long _windowTicks;

    public RequestRateWindow(int limit, TimeSpan window)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit));
        if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window));
        Limit = limit;
        Window = window;
        _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
    }

    public int Limit { get; }
    public TimeSpan Window { get; }

    /// <summary>Waits until one more request fits in the window, and counts it.</summary>
    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                while (_stamps.Count > 0 && now - _stamps.Peek() >= _windowTicks) _stamps.Dequeue();
                if (_stamps.Count < Limit)
                {
                    _stamps.Enqueue(now);
                    return;
                }
                wait = TimeSpan.FromSeconds((double)(_stamps.Peek() + _windowTicks - now) / Stopwatch.Frequency);
            }
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Admits requests up to a concurrency limit that adapts to throttling (additive increase, multiplicative
/// decrease): a 429 halves the limit (not below 1) and pauses new requests for a backoff that doubles while 429s
/// keep coming; every <c>limit</c> successes in a row raise it by one again, up to the maximum. An optional
/// <see cref="RequestRateWindow"/> paces admissions to a documented budget. Responses are reported through
/// <see cref="OnResponse"/> (an <see cref="IRequestObserver"/> adapter is provided), which sees every HTTP attempt,
/// including those the SDK's retry handler repeats after a 429.
/// </summary>
internal sealed class AdaptiveRequestGate
{
    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
    private readonly RequestRateWindow? _rate;
    private readonly TimeSpan _baseBackoff;
    private readonly TimeSpan _maxBackoff;
    private int _inFlight;
    private int _limit;
    private int _successes;
    private int _throttledInARow;
    private long _pauseUntil;
    private int _peak;

    public AdaptiveRequestGate(int maxConcurrency, RequestRateWindow? rate = null, TimeSpan? baseBackoff = null, TimeSpan? maxBackoff = null)
    {
        if (maxConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(maxConcurrency));
        MaxConcurrency = maxConcurrency;
        _limit = maxConcurrency;
        _rate = rate;
        _baseBackoff = baseBackoff ?? TimeSpan.FromMilliseconds(500);
        _maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(30);
    }

    public int MaxConcurrency { get; }
    /// <summary>The current limit (1 … MaxConcurrency).</summary>
    public int Limit { get { lock (_gate) return _limit; } }
    /// <summary>Most requests admitted at the same time so far.</summary>
    public int PeakInFlight { get { lock (_gate) return _peak; } }
    /// <summary>429 responses seen.</summary>
    public int ThrottledCount { get; private set; }

    /// <summary>Waits for a slot (and the rate budget); dispose the result when the request is done.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool>? waiter = null;
        lock (_gate)
        {
            if (_inFlight < _limit && _waiters.Count == 0) Admit();
            else
            {
                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
        }
        if (waiter is not null)
        {
            using (cancellationToken.Register(() => waiter.TrySetCanceled()))
                await waiter.Task.ConfigureAwait(false);
        }
        var lease = new Lease(this);
        try
        {
            long pause;
            lock (_gate) pause = _pauseUntil - Stopwatch.GetTimestamp();
            if (pause > 0) await Task.Delay(TimeSpan.FromSeconds((double)pause / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            if (_rate is not null) await _rate.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Feeds the limit: 429 shrinks it, 2xx grows it back.</summary>
    public void OnResponse(int status)
    {
        lock (_gate)
        {
            if (status == 429)
            {
                ThrottledCount++;
                _limit = Math.Max(1, _limit / 2);
                _successes = 0;
                var backoff = TimeSpan.FromTicks(Math.Min(_maxBackoff.Ticks, _baseBackoff.Ticks << Math.Min(_throttledInARow, 16)));
                _throttledInARow++;
                _pauseUntil = Math.Max(_pauseUntil, Stopwatch.GetTimestamp() + (long)(backoff.TotalSeconds * Stopwatch.Frequency));
            }
            else if (status is >= 200 and < 300)
            {
                _throttledInARow = 0;
                if (_limit < MaxConcurrency && ++_successes >= _limit)
                {
                    _limit++;
                    _successes = 0;
                    Wake();
                }
            }
        }
    }

    /// <summary>An observer that reports each HTTP attempt's status here and passes the trace on.</summary>
    public IRequestObserver Observe(IRequestObserver? next) => new Observer(this, next);

    private void Admit()
    {
        _inFlight++;
        if (_inFlight > _peak) _peak = _inFlight;
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            Wake();
        }
    }

    private void Wake()
    {
        while (_inFlight < _limit && _waiters.Count > 0)
        {
            var w = _waiters.Dequeue();
            // A cancelled waiter gives its turn to the next one.
            if (w.TrySetResult(true)) Admit();
        }
    }

    private sealed class Lease : IDisposable
    {
        private AdaptiveRequestGate? _owner;
        public Lease(AdaptiveRequestGate owner) => _owner = owner;
        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
    }

    private sealed class Observer : IRequestObserver
    {
        private readonly AdaptiveRequestGate _gate;
        private readonly IRequestObserver? _next;

        public Observer(AdaptiveRequestGate gate, IRequestObserver? next)
        {
            _gate = gate;
            _next = next;
        }

        public void OnRequest(RequestTrace trace)
        {
            if (trace.Status is { } status) _gate.OnResponse(status);
            _next?.OnRequest(trace);
        }
    }
}
