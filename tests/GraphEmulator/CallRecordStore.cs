using System.Text.Json.Nodes;
using GraphEmulator.Data;

namespace GraphEmulator;

/// <summary>
/// The call records Graph serves: the generated data set read lazily through its Build* methods, plus an override map
/// for records a write has touched (materialized in full, sessions and participants included) and created records.
/// </summary>
internal sealed class CallRecordStore
{
    private readonly object _write = new();
    private readonly Dictionary<string, int> _generated;
    private readonly Dictionary<string, JsonObject> _overrides = new(StringComparer.OrdinalIgnoreCase);
    // Copy-on-write so readers page over a stable snapshot without locking; writes are rare.
    private volatile Entry[] _sorted;
    private volatile Dictionary<string, Entry> _byId;

    public CallRecordStore(EmulatorDataSet data)
    {
        Data = data;
        _generated = new Dictionary<string, int>(data.Records.Count, StringComparer.OrdinalIgnoreCase);
        var entries = new Entry[data.Records.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var r = data.Records[i];
            _generated[r.Id] = i;
            entries[i] = new Entry(r.Id, r.StartDateTime, i, r.ParticipantIds);
        }
        Array.Sort(entries, Entry.Order);
        _sorted = entries;
        _byId = entries.ToDictionary(e => e.Id, StringComparer.OrdinalIgnoreCase);
    }

    public EmulatorDataSet Data { get; }

    /// <summary>All records, ascending by (startDateTime, id).</summary>
    public Entry[] Snapshot => _sorted;

    public bool TryGet(string id, out Entry entry) => _byId.TryGetValue(id, out entry!);

    /// <summary>The record as the list shows it: no sessions, participants_v2 or organizer_v2.</summary>
    public JsonObject ListItem(Entry e)
    {
        var o = Override(e.Id);
        if (o is null) return Data.BuildCallRecord(e.GeneratedIndex);
        var copy = new JsonObject();
        foreach (var (k, v) in o)
            if (k is not ("sessions" or "participants_v2" or "organizer_v2")) copy[k] = v?.DeepClone();
        return copy;
    }

    public JsonArray Sessions(Entry e)
    {
        var o = Override(e.Id);
        return o is null ? Data.BuildSessions(e.GeneratedIndex) : (JsonArray)(o["sessions"]?.DeepClone() ?? new JsonArray());
    }

    public JsonArray Participants(Entry e)
    {
        var o = Override(e.Id);
        return o is null ? Data.BuildParticipants(e.GeneratedIndex) : (JsonArray)(o["participants_v2"]?.DeepClone() ?? new JsonArray());
    }

    public JsonObject? Organizer(Entry e)
    {
        var o = Override(e.Id);
        return o is null ? Data.BuildOrganizer(e.GeneratedIndex) : o["organizer_v2"]?.DeepClone() as JsonObject;
    }

    private JsonObject? Override(string id)
    {
        lock (_write) return _overrides.TryGetValue(id, out var o) ? o : null;
    }

    // ---- writes (all under _write) ----

    public enum WriteResult { Ok, NotFound, Conflict }

    public WriteResult Create(JsonObject record, out JsonObject created)
    {
        lock (_write)
        {
            created = record;
            var id = record["id"]!.GetValue<string>();
            if (_byId.ContainsKey(id)) return WriteResult.Conflict;
            _overrides[id] = record;
            var start = DateTimeOffset.Parse(record["startDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            Publish(new Entry(id, start, -1, ParticipantIdsOf(record)));
            created = (JsonObject)record.DeepClone();
            return WriteResult.Ok;
        }
    }

    /// <summary>Apply a change to the full (materialized) record; <paramref name="change"/> returns false for "not found".</summary>
    public WriteResult Mutate(string id, Func<JsonObject, bool> change)
    {
        lock (_write)
        {
            if (!_byId.TryGetValue(id, out var e)) return WriteResult.NotFound;
            if (!_overrides.TryGetValue(e.Id, out var full))
            {
                full = Data.BuildCallRecord(e.GeneratedIndex);
                full["sessions"] = Data.BuildSessions(e.GeneratedIndex);
                full["participants_v2"] = Data.BuildParticipants(e.GeneratedIndex);
                full["organizer_v2"] = Data.BuildOrganizer(e.GeneratedIndex);
            }
            // Change a copy so a failed change leaves the store as it was.
            var copy = (JsonObject)full.DeepClone();
            if (!change(copy)) return WriteResult.NotFound;
            _overrides[e.Id] = copy;
            return WriteResult.Ok;
        }
    }

    private void Publish(Entry added)
    {
        var old = _sorted;
        var idx = Array.BinarySearch(old, added, Entry.Order);
        if (idx < 0) idx = ~idx;
        var next = new Entry[old.Length + 1];
        Array.Copy(old, 0, next, 0, idx);
        next[idx] = added;
        Array.Copy(old, idx, next, idx + 1, old.Length - idx);
        var map = new Dictionary<string, Entry>(_byId, StringComparer.OrdinalIgnoreCase) { [added.Id] = added };
        _sorted = next;
        _byId = map;
    }

    private static string[] ParticipantIdsOf(JsonObject record) =>
        record["participants_v2"] is JsonArray a
            ? a.OfType<JsonObject>().Select(p => p["id"]?.GetValue<string>()).Where(s => s is not null).Select(s => s!).ToArray()
            : Array.Empty<string>();

    internal sealed record Entry(string Id, DateTimeOffset Start, int GeneratedIndex, IReadOnlyList<string> ParticipantIds)
    {
        /// <summary>The list order: startDateTime, then id by ordinal comparison. The keyset of a nextLink is the last
        /// (start, id) of a page and the next page starts at the first entry strictly after it in this same order
        /// (GraphApi.ListCallRecords), so records that share a start are neither repeated nor skipped.</summary>
        public static readonly IComparer<Entry> Order = Comparer<Entry>.Create((a, b) => Compare(a, b.Start.UtcTicks, b.Id));

        /// <summary>This entry against a keyset position (start ticks, id), in <see cref="Order"/>.</summary>
        public static int Compare(Entry a, long startTicks, string id)
        {
            var c = a.Start.UtcTicks.CompareTo(startTicks);
            return c != 0 ? c : string.CompareOrdinal(a.Id, id);
        }
    }
}
