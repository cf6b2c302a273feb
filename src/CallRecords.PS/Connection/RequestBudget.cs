using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;

namespace CallRecords.Connection;

/// <summary>One of Graph's sliding-window ceilings: at most <see cref="Limit"/> requests in any <see cref="Window"/>.</summary>
internal sealed class Ceiling
{
    public Ceiling(int limit, TimeSpan window)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), "A ceiling allows at least one request.");
        if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), "A ceiling's window must be positive.");
        Limit = limit;
        Window = window;
    }

    public int Limit { get; }
    public TimeSpan Window { get; }

    public override string ToString() => $"{Limit.ToString(CultureInfo.InvariantCulture)} / {Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
}

/// <summary>
/// Graph's documented ceilings for call records (throttling-limits, "Cloud communication service limits"), per app
/// per tenant: every request 1,500 / 20 s; the list 40 / 20 s; one call record and its children 40 / 20 s; the
/// PSTN-type log functions 200 / 60 s together and 50 / 60 s each.
/// </summary>
internal sealed class RequestCeilings
{
    public RequestCeilings(Ceiling? app = null, Ceiling? list = null, Ceiling? record = null, Ceiling? pstn = null, Ceiling? function = null)
    {
        App = app ?? new Ceiling(1500, TimeSpan.FromSeconds(20));
        List = list ?? new Ceiling(40, TimeSpan.FromSeconds(20));
        PerRecord = record ?? new Ceiling(40, TimeSpan.FromSeconds(20));
        PstnType = pstn ?? new Ceiling(200, TimeSpan.FromSeconds(60));
        PstnFunction = function ?? new Ceiling(50, TimeSpan.FromSeconds(60));
    }

    public Ceiling App { get; }
    public Ceiling List { get; }
    public Ceiling PerRecord { get; }
    public Ceiling PstnType { get; }
    public Ceiling PstnFunction { get; }

    /// <summary>The environment variable that replaces Graph's numbers, for an emulator whose windows are scaled down
    /// (benchmarks, tests): <c>app=150/2;list=4/2;record=4/2;pstn=20/6;function=5/6</c> (limit/seconds; any subset).</summary>
    public const string Variable = "CALLRECORDS_GRAPH_CEILINGS";

    /// <summary>Graph's ceilings, or those of <see cref="Variable"/> when it is set.</summary>
    public static RequestCeilings Current()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(text) ? new RequestCeilings() : Parse(text!);
    }

    public static RequestCeilings Parse(string text)
    {
        var c = new RequestCeilings();
        foreach (var part in text.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=');
            var lw = kv.Length == 2 ? kv[1].Split('/') : Array.Empty<string>();
            if (lw.Length != 2 || !int.TryParse(lw[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ||
                !double.TryParse(lw[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || limit < 1 || seconds <= 0)
                throw new FormatException($"{Variable}: '{part}' is not name=limit/seconds.");
            var ceiling = new Ceiling(limit, TimeSpan.FromSeconds(seconds));
            c = kv[0].Trim().ToLowerInvariant() switch
            {
                "app" => c.With(app: ceiling),
                "list" => c.With(list: ceiling),
                "record" => c.With(record: ceiling),
                "pstn" => c.With(pstn: ceiling),
                "function" => c.With(function: ceiling),
                _ => throw new FormatException($"{Variable}: '{kv[0]}' is not one of app, list, record, pstn, function."),
            };
        }
        return c;
    }

    public RequestCeilings With(Ceiling? app = null, Ceiling? list = null, Ceiling? record = null, Ceiling? pstn = null, Ceiling? function = null) =>
        new(app ?? App, list ?? List, record ?? PerRecord, pstn ?? PstnType, function ?? PstnFunction);

    public override string ToString() => $"app {App}, list {List}, per record {PerRecord}, PSTN-type {PstnType}, per log function {PstnFunction}";
}

/// <summary>
/// The request budget of one connection: every request of every cmdlet on the connection (any number of runs at
/// once: two fan-outs in one pipeline, ForEach-Object -Parallel) is admitted here before it is sent, so together they
/// stay inside each of Graph's windows that the request counts against (<see cref="RequestCeilings"/>).
/// Graph counts a request when it arrives, which the client cannot see, but it is always after the request left and
/// before its response came back. So a request occupies the client's window from admission until its response has
/// arrived plus the window's length: any request Graph still counts, the client still counts too, whatever the network
/// delay and its jitter. (Counting from departure instead, as a plain pacer does, lets a request that arrived late
/// leave the client's window while Graph still counts it: 429s on every jittery link.) A 429 pauses the narrowest scope
/// it names for its Retry-After. Thread-safe.
/// </summary>
internal sealed class RequestBudget : IRequestGate
{
    private const int PruneAbove = 512;
    private readonly object _gate = new();
    private readonly Window _app;
    private readonly Window _list;
    private readonly Window _pstn;
    private readonly Dictionary<string, Window> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Window> _functions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<long> _now;
    private long _admitted;
    private long _waited;

    public RequestBudget(RequestCeilings ceilings, Func<long>? clock = null)
    {
        Ceilings = ceilings;
        _now = clock ?? Stopwatch.GetTimestamp;
        _app = new Window(ceilings.App);
        _list = new Window(ceilings.List);
        _pstn = new Window(ceilings.PstnType);
    }

    public RequestCeilings Ceilings { get; }

    /// <summary>Requests admitted so far, and how many of them had to wait for a window.</summary>
    public long Admitted { get { lock (_gate) return _admitted; } }
    public long Waited { get { lock (_gate) return _waited; } }

    /// <summary>How much longer than Graph's each window is kept after a response: clock granularity only (0.5 %).</summary>
    internal static TimeSpan Margin(TimeSpan window) => TimeSpan.FromTicks(window.Ticks / 200);

    /// <summary>How often a request waiting for an in-flight one to finish looks again.</summary>
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>Waits until the request fits in every window it counts against, then counts it there as in flight;
    /// disposing the lease (when the response has arrived) starts its time in the windows.</summary>
    public async Task<IDisposable> AdmitAsync(Uri uri, CancellationToken cancellationToken)
    {
        var scope = RequestScope.Of(uri);
        var waited = false;
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _now();
                var windows = WindowsOf(scope);
                wait = TimeSpan.Zero;
                foreach (var w in windows)
                {
                    var t = w.WouldWait(now);
                    if (t > wait) wait = t;
                }
                if (wait == TimeSpan.Zero)
                {
                    foreach (var w in windows) w.Start();
                    _admitted++;
                    if (waited) _waited++;
                    return new Lease(this, windows);
                }
            }
            waited = true;
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Graph answered 429: hold the scope the request counted against most narrowly until Retry-After has
    /// passed (no Retry-After: one second), so no request of this connection runs into the same window again.</summary>
    public void Throttled(Uri uri, TimeSpan? retryAfter)
    {
        var scope = RequestScope.Of(uri);
        var pause = retryAfter is { } r && r > TimeSpan.Zero ? r : TimeSpan.FromSeconds(1);
        lock (_gate)
        {
            var windows = WindowsOf(scope);
            windows[windows.Count - 1].PauseUntil(_now() + (long)(pause.TotalSeconds * Stopwatch.Frequency));
        }
    }

    /// <summary>The windows a request counts against, the app's first and the narrowest last.</summary>
    private List<Window> WindowsOf(RequestScope scope)
    {
        var list = new List<Window>(3) { _app };
        switch (scope.Kind)
        {
            case RequestScopeKind.List:
                list.Add(_list);
                break;
            case RequestScopeKind.Record:
                list.Add(Keyed(_records, scope.Key!, Ceilings.PerRecord));
                break;
            case RequestScopeKind.LogFunction:
                list.Add(_pstn);
                list.Add(Keyed(_functions, scope.Key!, Ceilings.PstnFunction));
                break;
        }
        return list;
    }

    private Window Keyed(Dictionary<string, Window> windows, string key, Ceiling ceiling)
    {
        if (!windows.TryGetValue(key, out var w))
        {
            if (windows.Count > PruneAbove)
            {
                var now = _now();
                var idle = new List<string>();
                foreach (var pair in windows) if (pair.Value.IsIdle(now)) idle.Add(pair.Key);
                foreach (var k in idle) windows.Remove(k);
            }
            windows[key] = w = new Window(ceiling);
        }
        return w;
    }

    private void Finish(List<Window> windows)
    {
        lock (_gate)
        {
            var now = _now();
            foreach (var w in windows) w.Finish(now);
        }
    }

    private sealed class Lease : IDisposable
    {
        private RequestBudget? _budget;
        private readonly List<Window> _windows;

        public Lease(RequestBudget budget, List<Window> windows)
        {
            _budget = budget;
            _windows = windows;
        }

        public void Dispose() => Interlocked.Exchange(ref _budget, null)?.Finish(_windows);
    }

    private sealed class Window
    {
        /// <summary>When the finished requests still in the window came back, oldest first.</summary>
        private readonly Queue<long> _stamps = new();
        private readonly int _limit;
        private readonly long _ticks;
        private long _pausedUntil;
        private int _inFlight;

        public Window(Ceiling ceiling)
        {
            _limit = ceiling.Limit;
            var span = ceiling.Window + Margin(ceiling.Window);
            _ticks = (long)(span.TotalSeconds * Stopwatch.Frequency);
        }

        public TimeSpan WouldWait(long now)
        {
            while (_stamps.Count > 0 && now - _stamps.Peek() >= _ticks) _stamps.Dequeue();
            var wait = _pausedUntil > now ? TimeSpan.FromSeconds((double)(_pausedUntil - now) / Stopwatch.Frequency) : TimeSpan.Zero;
            var over = _inFlight + _stamps.Count - _limit + 1;
            if (over <= 0) return wait;
            // Full: the over-th oldest finished request must leave the window, or, when in-flight ones fill it, one must finish.
            var free = over <= _stamps.Count ? TimeSpan.FromSeconds((double)(_stamps.ElementAt(over - 1) + _ticks - now) / Stopwatch.Frequency) : InFlightPoll;
            if (free < TimeSpan.FromMilliseconds(1)) free = TimeSpan.FromMilliseconds(1);
            return free > wait ? free : wait;
        }

        public void Start() => _inFlight++;

        public void Finish(long now)
        {
            _inFlight--;
            _stamps.Enqueue(now);
        }

        public void PauseUntil(long at)
        {
            if (at > _pausedUntil) _pausedUntil = at;
        }

        public bool IsIdle(long now)
        {
            while (_stamps.Count > 0 && now - _stamps.Peek() >= _ticks) _stamps.Dequeue();
            return _pausedUntil <= now && _inFlight == 0 && _stamps.Count == 0;
        }
    }
}

internal enum RequestScopeKind
{
    /// <summary>Counts only against the app's ceiling (writes of new records, anything else).</summary>
    Other,
    /// <summary>GET communications/callRecords and its nextLinks.</summary>
    List,
    /// <summary>communications/callRecords/{id} and everything under it.</summary>
    Record,
    /// <summary>A PSTN-type log function: communications/callRecords/getPstnCalls(…) and the others.</summary>
    LogFunction,
}

/// <summary>Which of Graph's windows a request URL counts against.</summary>
internal readonly struct RequestScope
{
    private RequestScope(RequestScopeKind kind, string? key)
    {
        Kind = kind;
        Key = key;
    }

    public RequestScopeKind Kind { get; }
    /// <summary>The record id (Record) or the function name (LogFunction).</summary>
    public string? Key { get; }

    public static RequestScope Of(Uri uri)
    {
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        const string collection = "/communications/callRecords";
        var at = path.IndexOf(collection, StringComparison.OrdinalIgnoreCase);
        if (at < 0) return new RequestScope(RequestScopeKind.Other, null);
        var rest = path.Substring(at + collection.Length).TrimEnd('/');
        if (rest.Length == 0) return new RequestScope(RequestScopeKind.List, null);
        if (rest[0] != '/') return new RequestScope(RequestScopeKind.Other, null);
        var segment = rest.Substring(1);
        var slash = segment.IndexOf('/');
        if (slash >= 0) segment = segment.Substring(0, slash);
        var paren = segment.IndexOf('(');
        if (paren > 0)
        {
            // microsoft.graph.callRecords.getPstnCalls(…) or getPstnCalls(…): the function name without its namespace.
            var name = segment.Substring(0, paren);
            var dot = name.LastIndexOf('.');
            return new RequestScope(RequestScopeKind.LogFunction, dot >= 0 ? name.Substring(dot + 1) : name);
        }
        return new RequestScope(RequestScopeKind.Record, segment);
    }
}
