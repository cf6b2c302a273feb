using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Models;

namespace CallRecords.Completers;

/// <summary>
/// The call record ids this process has seen, most recently seen first, bounded so a month-long export does not
/// keep every id alive. The cmdlets feed it as they write records; <see cref="CallRecordIdCompleter"/> reads it.
/// </summary>
internal sealed class CallRecordIdHistory
{
    public const int DefaultCapacity = 500;

    /// <summary>The process-wide history (like the default connection, shared by all runspaces).</summary>
    public static CallRecordIdHistory Shared { get; } = new(DefaultCapacity);

    /// <summary>The session ids seen in this process (for -SessionId completion).</summary>
    public static CallRecordIdHistory Sessions { get; } = new(DefaultCapacity);

    private readonly object _gate = new();
    private readonly LinkedList<Entry> _order = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byId = new(StringComparer.OrdinalIgnoreCase);

    public CallRecordIdHistory(int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get { lock (_gate) return _byId.Count; }
    }

    public void Add(string id, string description)
    {
        if (string.IsNullOrEmpty(id)) return;
        lock (_gate)
        {
            if (_byId.TryGetValue(id, out var node))
            {
                _order.Remove(node);
                node.Value = new Entry(id, description);
                _order.AddFirst(node);
                return;
            }
            _byId[id] = _order.AddFirst(new Entry(id, description));
            if (_byId.Count > Capacity)
            {
                var oldest = _order.Last!;
                _order.RemoveLast();
                _byId.Remove(oldest.Value.Id);
            }
        }
    }

    /// <summary>Ids starting with <paramref name="prefix"/>, most recently seen first.</summary>
    public IReadOnlyList<Entry> Find(string prefix)
    {
        var found = new List<Entry>();
        lock (_gate)
        {
            foreach (var e in _order)
                if (e.Id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) found.Add(e);
        }
        return found;
    }

    public void Clear()
    {
        lock (_gate)
        {
            _order.Clear();
            _byId.Clear();
        }
    }

    /// <summary>The tooltip: when it started, what kind of call, which modalities.</summary>
    internal static string Describe(CallRecord r)
    {
        var start = r.StartDateTime is { } s ? s.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "start unknown";
        var modalities = r.Modalities.Count > 0 ? " " + r.Modalities : "";
        return $"{r.Id}: {start} {r.Type ?? "unknown"}{modalities}";
    }

    internal readonly struct Entry
    {
        public Entry(string id, string description)
        {
            Id = id;
            Description = description;
        }

        public string Id { get; }
        public string Description { get; }
    }
}
