using System.Text.Json.Nodes;

namespace GraphEmulator;

/// <summary>One session of the ground truth: its id and its segments' ids, in the order Graph lists them.</summary>
public sealed record SessionTruth(string Id, IReadOnlyList<string> SegmentIds);

/// <summary>
/// Ground truth: what a correct client ends up with, read from the emulator's store (generated data and every write),
/// in the order Graph lists it. The tests' one source of expected results — xunit calls it directly, the Pester suite
/// through /_emulator/truth/* — so no test re-derives a listing rule of its own.
/// </summary>
public sealed class EmulatorTruth
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly EmulatorHost _host;

    internal EmulatorTruth(EmulatorHost host) => _host = host;

    /// <summary>Ids of the retained call records that started in [from, to), in list order; optionally only those with
    /// this participant (participants_v2 id), of this type, or with this modality (case-insensitive, as the module's
    /// client-side filters).</summary>
    public IReadOnlyList<string> Records(DateTimeOffset? from = null, DateTimeOffset? to = null, string? participant = null,
        string? type = null, string? modality = null)
    {
        var store = _host.Store;
        var retention = _host.Now - Retention;
        var ids = new List<string>();
        foreach (var e in store.Snapshot)
        {
            if (e.Start < retention || (from is { } f && e.Start < f) || (to is { } t && e.Start >= t)) continue;
            if (participant is not null && !e.ParticipantIds.Contains(participant, StringComparer.OrdinalIgnoreCase)) continue;
            if (type is not null || modality is not null)
            {
                var item = store.ListItem(e);
                if (type is not null && !string.Equals(item["type"]?.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase)) continue;
                if (modality is not null && !(item["modalities"] as JsonArray ?? new JsonArray())
                        .Any(m => string.Equals(m?.GetValue<string>(), modality, StringComparison.OrdinalIgnoreCase))) continue;
            }
            ids.Add(e.Id);
        }
        return ids;
    }

    /// <summary>The sessions of a record with their segments' ids, in Graph's order; null for an unknown id.</summary>
    public IReadOnlyList<SessionTruth>? Sessions(string callRecordId)
    {
        var store = _host.Store;
        if (!store.TryGet(callRecordId, out var e)) return null;
        return store.Sessions(e).OfType<JsonObject>().Select(s => new SessionTruth(
            s["id"]!.GetValue<string>(),
            (s["segments"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().Select(g => g["id"]!.GetValue<string>()).ToList())).ToList();
    }

    /// <summary>The participants_v2 ids of a record in Graph's order; null for an unknown id.</summary>
    public IReadOnlyList<string>? Participants(string callRecordId)
    {
        var store = _host.Store;
        if (!store.TryGet(callRecordId, out var e)) return null;
        return store.Participants(e).OfType<JsonObject>().Select(p => p["id"]!.GetValue<string>()).ToList();
    }

    /// <summary>The organizer_v2 id of a record (null when it has none or the id is unknown).</summary>
    public string? OrganizerId(string callRecordId)
    {
        var store = _host.Store;
        return store.TryGet(callRecordId, out var e) ? store.Organizer(e)?["id"]?.GetValue<string>() : null;
    }
}
