using System.Collections.Concurrent;

namespace GraphEmulator;

/// <summary>One Graph request as the emulator saw it. Never holds the bearer token itself.
/// The entry is logged when the request arrives (<see cref="Status"/> 0) and completed before the first byte of the
/// response is written, so a client that has its answer always finds its request in the log, complete.</summary>
public sealed record RequestLogEntry(
    long Number,
    DateTimeOffset Time,
    string Method,
    string PathAndQuery,
    int Status,
    string? ClientRequestId,
    string RequestId,
    string? TenantId,
    string? AppId,
    string? Subject,
    string Route,
    string? RecordId,
    FaultKind? Fault,
    bool Throttled)
{
    /// <summary>Request headers as the client sent them, for the names in <see cref="RequestLog.RecordedHeaders"/>
    /// (never Authorization); a header the client did not send is absent.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = RequestLog.NoHeaders;

    /// <summary>False while the emulator has not decided the answer (the entry was logged on arrival).</summary>
    public bool Completed => Status != 0;
}

internal sealed class RequestLog
{
    /// <summary>The request headers the log keeps (what tests assert on: page size, correlation, client identity).</summary>
    internal static readonly string[] RecordedHeaders = ["Prefer", "client-request-id", "User-Agent", "SdkVersion", "Retry-Attempt"];

    internal static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    // Bounded so a long benchmark cannot grow the log without limit; the oldest entries go first.
    private const int Capacity = 250_000;
    private readonly ConcurrentQueue<Cell> _entries = new();

    /// <summary>Logs an entry now and returns its cell, through which it is completed later.</summary>
    public Cell Add(RequestLogEntry e)
    {
        var cell = new Cell(e);
        _entries.Enqueue(cell);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _)) { }
        return cell;
    }

    public IReadOnlyList<RequestLogEntry> Snapshot() => _entries.Select(c => c.Entry).ToArray();

    public void Clear() => _entries.Clear();

    /// <summary>The selected headers of a request, as sent.</summary>
    internal static IReadOnlyDictionary<string, string> Headers(HttpRequest request)
    {
        Dictionary<string, string>? headers = null;
        foreach (var name in RecordedHeaders)
            if (request.Headers.TryGetValue(name, out var v) && v.Count > 0)
                (headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[name] = v.ToString();
        return headers ?? NoHeaders;
    }

    internal sealed class Cell(RequestLogEntry entry)
    {
        private volatile RequestLogEntry _entry = entry;

        public RequestLogEntry Entry => _entry;

        public void Complete(Func<RequestLogEntry, RequestLogEntry> update) => _entry = update(_entry);
    }
}
