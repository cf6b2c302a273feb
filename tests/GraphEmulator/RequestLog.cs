using System.Collections.Concurrent;

namespace GraphEmulator;

/// <summary>One Graph request as the emulator saw it. Never holds the bearer token itself.</summary>
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
    bool Throttled);

internal sealed class RequestLog
{
    // Bounded so a long benchmark cannot grow the log without limit; the oldest entries go first.
    private const int Capacity = 250_000;
    private readonly ConcurrentQueue<RequestLogEntry> _entries = new();

    public void Add(RequestLogEntry e)
    {
        _entries.Enqueue(e);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _)) { }
    }

    public IReadOnlyList<RequestLogEntry> Snapshot() => _entries.ToArray();

    public void Clear() => _entries.Clear();
}
