using System.Collections.Concurrent;
using System.Diagnostics;

namespace GraphEmulator;

/// <summary>Kinds of injected faults.</summary>
public enum FaultKind
{
    /// <summary>429 with Retry-After, Graph's throttling body.</summary>
    TooManyRequests,
    /// <summary>503 with Retry-After.</summary>
    ServiceUnavailable,
    /// <summary>504.</summary>
    GatewayTimeout,
    /// <summary>Headers and part of the body are sent, then the connection is aborted.</summary>
    ConnectionReset,
    /// <summary>A complete 200 response whose JSON body is cut short (Content-Length matches the short body).</summary>
    TruncatedBody,
    /// <summary>The body trickles out in small chunks with delays.</summary>
    SlowBody,
    /// <summary>429 TooManyRequests without Retry-After (Graph does not always send one).</summary>
    TooManyRequestsNoRetryAfter,
    /// <summary>429 with the code activityLimitReached and no Retry-After.</summary>
    ActivityLimitReached,
    /// <summary>503 without Retry-After.</summary>
    ServiceUnavailableNoRetryAfter,
}

/// <summary>Fault injection settings: by fraction (deterministic for the seed) and/or at given request numbers.</summary>
public sealed record FaultSettings
{
    /// <summary>Fraction of Graph requests (0..1) that get a fault chosen from <see cref="Kinds"/>.</summary>
    public double Rate { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Kinds drawn by <see cref="Rate"/>; empty means all kinds.</summary>
    public IReadOnlyList<FaultKind> Kinds { get; init; } = Array.Empty<FaultKind>();
    /// <summary>Faults at fixed Graph request numbers (1-based, counted since the faults were last set).</summary>
    public IReadOnlyDictionary<long, FaultKind> AtRequests { get; init; } = new Dictionary<long, FaultKind>();
    public int RetryAfterSeconds { get; init; } = 1;
    /// <summary>Delay between chunks of a slow body.</summary>
    public int SlowBodyChunkDelayMs { get; init; } = 20;
    public int SlowBodyChunks { get; init; } = 8;

    public static FaultSettings None { get; } = new();
}

/// <summary>Current and peak number of concurrent requests on one route.</summary>
public readonly record struct RouteGauge(int Current, int Max);

/// <summary>The emulator's runtime knobs and counters (also exposed under /_emulator).</summary>
public sealed class EmulatorControl
{
    private readonly object _gate = new();
    private ThrottleLimits _limits;
    private FaultSettings _faults;
    private long _faultSequence;
    private readonly ConcurrentDictionary<string, long> _counters = new();
    private readonly ConcurrentDictionary<string, GaugeCell> _gauges = new();
    private readonly ConcurrentDictionary<string, SlidingWindow> _windows = new();

    internal EmulatorControl(EmulatorOptions o)
    {
        LatencyMs = o.LatencyMs;
        LatencyJitterMs = o.LatencyJitterMs;
        ThrottleEnabled = o.Throttle;
        _limits = o.ThrottleLimits;
        ReadOnly = o.ReadOnly;
        MaxPageSize = o.MaxPageSize;
        MaxPageSizeMode = o.MaxPageSizeMode;
        _faults = new FaultSettings { Rate = o.FaultRate, Seed = o.FaultSeed ?? o.Seed };
    }

    public int LatencyMs { get; set; }
    public int LatencyJitterMs { get; set; }
    public bool ReadOnly { get; set; }
    /// <summary>Largest page of the call-record list (--max-page-size), and what a larger Prefer gets.</summary>
    public int MaxPageSize { get; set; }
    public PageSizeMode MaxPageSizeMode { get; set; }

    /// <summary>--throttle graph|off.</summary>
    public bool ThrottleEnabled { get; set; }

    /// <summary>The ceilings; setting them starts every window afresh.</summary>
    public ThrottleLimits ThrottleLimits
    {
        get { lock (_gate) return _limits; }
        set { lock (_gate) { _limits = value ?? throw new ArgumentNullException(nameof(value)); _windows.Clear(); } }
    }

    /// <summary>Forget every throttle window (the ceilings stay).</summary>
    public void ResetThrottleWindows() => _windows.Clear();

    /// <summary>The fault settings; setting them restarts the fault request numbering at 1, so replaying the same
    /// request sequence after setting the same faults yields the same faults.</summary>
    public FaultSettings Faults
    {
        get { lock (_gate) return _faults; }
        set { lock (_gate) { _faults = value ?? throw new ArgumentNullException(nameof(value)); Interlocked.Exchange(ref _faultSequence, 0); } }
    }

    public void ClearFaults() => Faults = FaultSettings.None with { Seed = Faults.Seed };

    /// <summary>Graph requests per route name since start or the last <see cref="ResetCounters"/>.</summary>
    public IReadOnlyDictionary<string, long> RouteCounters => new Dictionary<string, long>(_counters);

    /// <summary>Concurrency per route: current and the peak since start or the last <see cref="ResetCounters"/>.</summary>
    public IReadOnlyDictionary<string, RouteGauge> InFlight =>
        _gauges.ToDictionary(kv => kv.Key, kv => new RouteGauge(Volatile.Read(ref kv.Value.Current), Volatile.Read(ref kv.Value.Max)));

    /// <summary>Concurrency on one route (zeros when never seen).</summary>
    public RouteGauge InFlightOf(string route) =>
        _gauges.TryGetValue(route, out var g) ? new RouteGauge(Volatile.Read(ref g.Current), Volatile.Read(ref g.Max)) : default;

    /// <summary>Peak concurrency over all Graph routes together.</summary>
    public RouteGauge InFlightTotal => InFlightOf(TotalRoute);

    public void ResetCounters()
    {
        _counters.Clear();
        foreach (var g in _gauges.Values) Volatile.Write(ref g.Max, Volatile.Read(ref g.Current));
    }

    private RequestHold? _hold;

    /// <summary>The hold in force, if any (see <see cref="Hold"/>).</summary>
    public RequestHold? CurrentHold => Volatile.Read(ref _hold);

    /// <summary>Holds requests of <paramref name="route"/> on arrival, after the first <paramref name="passFirst"/>:
    /// until <paramref name="releaseAt"/> are held at once (a barrier), or until released, aborted by the client or
    /// <paramref name="timeout"/> (30 s by default) has passed. Replaces (and releases) any earlier hold.</summary>
    public RequestHold Hold(string route, int passFirst = 0, int? releaseAt = null, TimeSpan? timeout = null)
    {
        var hold = new RequestHold(route, passFirst, releaseAt, timeout ?? TimeSpan.FromSeconds(30));
        Interlocked.Exchange(ref _hold, hold)?.Dispose();
        return hold;
    }

    /// <summary>Releases and removes the hold in force.</summary>
    public void ClearHold() => Interlocked.Exchange(ref _hold, null)?.Dispose();

    internal Task HoldAsync(string route, CancellationToken aborted) =>
        Volatile.Read(ref _hold) is { } h && h.Route == route ? h.WaitAsync(aborted) : Task.CompletedTask;

    internal const string TotalRoute = "*";

    internal void Count(string route) => _counters.AddOrUpdate(route, 1, (_, v) => v + 1);

    internal IDisposable Enter(string route)
    {
        var a = _gauges.GetOrAdd(route, _ => new GaugeCell());
        var t = _gauges.GetOrAdd(TotalRoute, _ => new GaugeCell());
        a.Inc();
        t.Inc();
        return new Exit(a, t);
    }

    internal int NextLatency(long requestNumber)
    {
        var l = LatencyMs;
        var j = LatencyJitterMs;
        if (j > 0) l += (int)(Mix(requestNumber, 0x5eed) % (ulong)(j + 1));
        return Math.Max(0, l);
    }

    /// <summary>Decide the fault of the next Graph request; deterministic in (seed, request number).</summary>
    internal (long Number, FaultKind? Kind, FaultSettings Settings) NextFault()
    {
        FaultSettings f;
        long n;
        lock (_gate)
        {
            f = _faults;
            n = ++_faultSequence;
        }
        if (f.AtRequests.TryGetValue(n, out var at)) return (n, at, f);
        if (f.Rate <= 0) return (n, null, f);
        var h = Mix(n, f.Seed);
        var u = (h >> 11) * (1.0 / (1UL << 53));
        if (u >= f.Rate) return (n, null, f);
        var kinds = f.Kinds.Count > 0 ? f.Kinds : AllKinds;
        return (n, kinds[(int)(Mix(n, f.Seed ^ 0x7f4a7c15) % (ulong)kinds.Count)], f);
    }

    private static readonly FaultKind[] AllKinds = Enum.GetValues<FaultKind>();

    /// <summary>Check and record one request against the windows that apply; returns the Retry-After seconds when
    /// a ceiling is reached (the request is then not counted).</summary>
    internal int? Throttle(string appTenant, string route, string? recordId)
    {
        if (!ThrottleEnabled) return null;
        var limits = ThrottleLimits;
        var keys = new List<(string Key, ThrottleLimit Limit)>(4) { ("app|" + appTenant, limits.PerAppPerTenant) };
        if (route == Routes.ListCallRecords) keys.Add(("list|" + appTenant, limits.List));
        if (recordId is not null) keys.Add(("record|" + appTenant + "|" + recordId, limits.PerRecord));
        if (Routes.IsPstnType(route))
        {
            keys.Add(("pstn|" + appTenant, limits.PstnType));
            keys.Add(("pstnfn|" + appTenant + "|" + route, limits.PstnPerFunction));
        }

        var now = Stopwatch.GetTimestamp();
        var windows = keys.Select(k => (_windows.GetOrAdd(k.Key, _ => new SlidingWindow()), k.Limit)).ToList();
        // One lock makes check-then-add atomic across all the windows a request touches.
        lock (_gate)
        {
            TimeSpan? wait = null;
            foreach (var (w, limit) in windows)
            {
                var r = w.WouldWait(now, limit);
                if (r is { } t && (wait is null || t > wait)) wait = t;
            }
            if (wait is { } ww) return Math.Max(1, (int)Math.Ceiling(ww.TotalSeconds));
            foreach (var (w, _) in windows) w.Add(now);
            return null;
        }
    }

    internal static ulong Mix(long n, long seed)
    {
        // SplitMix64 over (seed, n): cheap, stable across runtimes (unlike HashCode).
        var z = unchecked((ulong)n * 0x9E3779B97F4A7C15UL + (ulong)seed * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class GaugeCell
    {
        public int Current;
        public int Max;

        public void Inc()
        {
            var c = Interlocked.Increment(ref Current);
            int m;
            while (c > (m = Volatile.Read(ref Max)) && Interlocked.CompareExchange(ref Max, c, m) != m) { }
        }
    }

    private sealed class Exit(GaugeCell a, GaugeCell t) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            Interlocked.Decrement(ref a.Current);
            Interlocked.Decrement(ref t.Current);
        }
    }

    private sealed class SlidingWindow
    {
        private readonly Queue<long> _stamps = new();

        public TimeSpan? WouldWait(long now, ThrottleLimit limit)
        {
            var windowTicks = (long)(limit.Window.TotalSeconds * Stopwatch.Frequency);
            while (_stamps.Count > 0 && now - _stamps.Peek() >= windowTicks) _stamps.Dequeue();
            if (_stamps.Count < limit.Limit) return null;
            // The window frees a slot when the oldest request in it, among the last Limit ones, leaves.
            var oldest = _stamps.ElementAt(_stamps.Count - limit.Limit);
            return TimeSpan.FromSeconds((double)(oldest + windowTicks - now) / Stopwatch.Frequency);
        }

        public void Add(long now) => _stamps.Enqueue(now);
    }
}
