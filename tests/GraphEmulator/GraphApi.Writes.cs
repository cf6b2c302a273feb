using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphEmulator;

// Writes exist only in the emulator (the real service refuses them), so users can seed data for their own tests.
internal sealed partial class GraphApi
{
    private static readonly string[] CallTypes = { "unknown", "groupCall", "peerToPeer", "unknownFutureValue" };
    private static readonly string[] Modalities = { "audio", "video", "videoBasedScreenSharing", "data", "screenSharing", "unknownFutureValue" };

    private static async Task<JsonObject> ReadBody(HttpContext ctx)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            node = null;
        }
        return node as JsonObject ?? throw new GraphRequestException(400, "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
    }

    private static GraphRequestException Invalid(string message) => new(400, "BadRequest", message);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string? OptionalString(JsonObject o, string name, string type)
    {
        if (!o.TryGetPropertyValue(name, out var v) || v is null) return null;
        if (v.GetValueKind() != JsonValueKind.String)
            throw Invalid($"Cannot convert the literal '{v.ToJsonString()}' to the expected type '{type}' of property '{name}'.");
        return v.GetValue<string>();
    }

    private static DateTimeOffset? OptionalTime(JsonObject o, string name)
    {
        var s = OptionalString(o, name, "Edm.DateTimeOffset");
        if (s is null) return null;
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            throw Invalid($"Cannot convert the literal '{s}' to the expected type 'Edm.DateTimeOffset' of property '{name}'.");
        var utc = t.ToUniversalTime();
        o[name] = Iso(utc);
        return utc;
    }

    private static void CheckEnum(JsonObject o, string name, string[] members, string type, bool collection)
    {
        if (!o.TryGetPropertyValue(name, out var v) || v is null) return;
        IEnumerable<JsonNode?> items = collection
            ? v as JsonArray ?? throw Invalid($"Property '{name}' must be a collection of '{type}'.")
            : new[] { v };
        foreach (var item in items)
        {
            var text = item is not null && item.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : null;
            if (text is null || !members.Contains(text, StringComparer.OrdinalIgnoreCase))
                throw Invalid($"The value '{item?.ToJsonString()}' is not a valid member of enum type '{type}'.");
        }
    }

    private static void CheckTimes(DateTimeOffset? start, DateTimeOffset? end)
    {
        if (start is { } s && end is { } e && e < s) throw Invalid("endDateTime must not be earlier than startDateTime.");
    }

    /// <summary>Validates a session (and its segments), filling in ids.</summary>
    private static void PrepareSession(JsonObject s, bool partial)
    {
        if (OptionalString(s, "id", "Edm.String") is null && !partial) s["id"] = Guid.NewGuid().ToString();
        CheckEnum(s, "modalities", Modalities, "microsoft.graph.callRecords.modality", collection: true);
        CheckTimes(OptionalTime(s, "startDateTime"), OptionalTime(s, "endDateTime"));
        if (s.TryGetPropertyValue("isTest", out var t) && t is not null && t.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            throw Invalid($"Cannot convert the literal '{t.ToJsonString()}' to the expected type 'Edm.Boolean' of property 'isTest'.");
        if (!partial)
        {
            s.TryAdd("modalities", new JsonArray());
            if (!s.ContainsKey("segments")) s["segments"] = new JsonArray();
        }
        if (s.TryGetPropertyValue("segments", out var segs))
        {
            if (partial) throw Invalid("Segments cannot be changed through PATCH; POST them to …/segments.");
            if (segs is not JsonArray arr) throw Invalid("Property 'segments' must be a collection of 'microsoft.graph.callRecords.segment'.");
            foreach (var seg in arr) PrepareSegment(seg as JsonObject ?? throw Invalid("Each segment must be an object."));
        }
    }

    private static void PrepareSegment(JsonObject g)
    {
        if (OptionalString(g, "id", "Edm.String") is null) g["id"] = Guid.NewGuid().ToString();
        CheckTimes(OptionalTime(g, "startDateTime"), OptionalTime(g, "endDateTime"));
    }

    private async Task<Reply> CreateCallRecord(HttpContext ctx, string version)
    {
        var body = await ReadBody(ctx).ConfigureAwait(false);
        var id = OptionalString(body, "id", "Edm.String") ?? Guid.NewGuid().ToString();
        var start = OptionalTime(body, "startDateTime") ?? throw Invalid("Property 'startDateTime' is required.");
        var end = OptionalTime(body, "endDateTime") ?? throw Invalid("Property 'endDateTime' is required.");
        CheckTimes(start, end);
        CheckEnum(body, "type", CallTypes, "microsoft.graph.callRecords.callType", collection: false);
        CheckEnum(body, "modalities", Modalities, "microsoft.graph.callRecords.modality", collection: true);
        if (body.TryGetPropertyValue("version", out var ver) && ver is not null &&
            (ver.GetValueKind() != JsonValueKind.Number || !long.TryParse(ver.ToJsonString(), out _)))
            throw Invalid($"Cannot convert the literal '{ver.ToJsonString()}' to the expected type 'Edm.Int64' of property 'version'.");
        var sessions = body["sessions"] is null ? new JsonArray() : body["sessions"] as JsonArray ?? throw Invalid("Property 'sessions' must be a collection.");
        foreach (var s in sessions) PrepareSession(s as JsonObject ?? throw Invalid("Each session must be an object."), partial: false);
        var participants = body["participants_v2"] is null ? new JsonArray() : body["participants_v2"] as JsonArray ?? throw Invalid("Property 'participants_v2' must be a collection.");
        foreach (var p in participants)
        {
            if (p is not JsonObject po) throw Invalid("Each participant must be an object.");
            if (OptionalString(po, "id", "Edm.String") is null) po["id"] = Guid.NewGuid().ToString();
        }
        if (body["organizer_v2"] is not null and not JsonObject) throw Invalid("Property 'organizer_v2' must be an object.");

        var record = new JsonObject
        {
            ["id"] = id,
            ["version"] = body["version"]?.DeepClone() ?? 1,
            ["type"] = body["type"]?.DeepClone() ?? "unknown",
            ["modalities"] = body["modalities"]?.DeepClone() ?? new JsonArray(),
            ["lastModifiedDateTime"] = Iso(DateTimeOffset.UtcNow),
            ["startDateTime"] = Iso(start),
            ["endDateTime"] = Iso(end),
            ["joinWebUrl"] = body["joinWebUrl"]?.DeepClone(),
            ["organizer"] = null,
            ["participants"] = new JsonArray(),
            ["sessions"] = sessions.DeepClone(),
            ["participants_v2"] = participants.DeepClone(),
            ["organizer_v2"] = body["organizer_v2"]?.DeepClone(),
        };
        if (host.Store.Create(record, out _) == CallRecordStore.WriteResult.Conflict)
            throw new GraphRequestException(409, "Conflict", $"A call record with id '{id}' already exists.");
        var created = host.Store.TryGet(id, out var e) ? host.Store.ListItem(e) : record;
        var json = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords/$entity");
            WriteSelected(w, created, null);
            w.WriteEndObject();
        });
        return new Reply(201, json, new[] { new KeyValuePair<string, string>("Location", BaseUrl(ctx, version) + "/communications/callRecords/" + Esc(id)) });
    }

    private CallRecordStore.Entry WritableRecord(string id) =>
        host.Store.TryGet(id, out var e) ? e : throw new GraphRequestException(404, "NotFound",
            "Could not find the requested call record. Records about calls or online meetings that started more than 30 days ago are not available.");

    private static JsonArray SessionsOf(JsonObject record) => record["sessions"] as JsonArray ?? (JsonArray)(record["sessions"] = new JsonArray());

    private static JsonObject? SessionIn(JsonObject record, string sid) =>
        SessionsOf(record).OfType<JsonObject>().FirstOrDefault(s => string.Equals(s["id"]?.GetValue<string>(), sid, StringComparison.OrdinalIgnoreCase));

    private static GraphRequestException SessionNotFound() => new(404, "NotFound", "Could not find the requested session.");

    private async Task<Reply> CreateSession(HttpContext ctx, string version, string id)
    {
        var body = await ReadBody(ctx).ConfigureAwait(false);
        PrepareSession(body, partial: false);
        var e = WritableRecord(id);
        var sid = body["id"]!.GetValue<string>();
        var conflict = false;
        host.Store.Mutate(e.Id, r =>
        {
            if (SessionIn(r, sid) is not null) { conflict = true; return true; }
            SessionsOf(r).Add(body.DeepClone());
            return true;
        });
        if (conflict) throw new GraphRequestException(409, "Conflict", $"A session with id '{sid}' already exists.");
        var json = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords(" + Quote(e.Id) + ")/sessions/$entity");
            WriteSelected(w, body, null);
            w.WriteEndObject();
        });
        return new Reply(201, json);
    }

    private async Task<Reply> UpdateSession(HttpContext ctx, string version, string id, string sid)
    {
        var body = await ReadBody(ctx).ConfigureAwait(false);
        if (body.ContainsKey("id")) throw Invalid("The property 'id' cannot be changed.");
        PrepareSession(body, partial: true);
        var e = WritableRecord(id);
        string? bad = null;
        var result = host.Store.Mutate(e.Id, r =>
        {
            var s = SessionIn(r, sid);
            if (s is null) return false;
            foreach (var (k, v) in body) s[k] = v?.DeepClone();
            if (DateTimeOffset.TryParse(s["startDateTime"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var a) &&
                DateTimeOffset.TryParse(s["endDateTime"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var b) && b < a)
            {
                bad = "endDateTime must not be earlier than startDateTime.";
                return false;
            }
            return true;
        });
        if (bad is not null) throw Invalid(bad);
        if (result != CallRecordStore.WriteResult.Ok) throw SessionNotFound();
        _ = version;
        // Graph answers a successful PATCH with 204 No Content.
        return new Reply(204, null);
    }

    private Task<Reply> DeleteSession(HttpContext ctx, string version, string id, string sid)
    {
        _ = ctx;
        _ = version;
        var e = WritableRecord(id);
        var result = host.Store.Mutate(e.Id, r =>
        {
            var s = SessionIn(r, sid);
            return s is not null && SessionsOf(r).Remove(s);
        });
        if (result != CallRecordStore.WriteResult.Ok) throw SessionNotFound();
        return Task.FromResult(new Reply(204, null));
    }

    private async Task<Reply> CreateSegment(HttpContext ctx, string version, string id, string sid)
    {
        var body = await ReadBody(ctx).ConfigureAwait(false);
        PrepareSegment(body);
        var e = WritableRecord(id);
        var result = host.Store.Mutate(e.Id, r =>
        {
            var s = SessionIn(r, sid);
            if (s is null) return false;
            var segs = s["segments"] as JsonArray ?? (JsonArray)(s["segments"] = new JsonArray());
            segs.Add(body.DeepClone());
            return true;
        });
        if (result != CallRecordStore.WriteResult.Ok) throw SessionNotFound();
        var json = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords(" + Quote(e.Id) + ")/sessions(" + Quote(sid) + ")/segments/$entity");
            WriteSelected(w, body, null);
            w.WriteEndObject();
        });
        return new Reply(201, json);
    }
}
