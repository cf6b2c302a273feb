using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphEmulator;

/// <summary>
/// The emulator learns time (issue #23): records Graph re-issues with a higher version when late telemetry arrives,
/// records that arrive late (started hours ago, listed only now), and a clock that moves so records age out of the
/// 30 days. Every change goes through the store, so the Graph routes and the ground truth both follow it.
/// Control routes: POST /_emulator/reissue {"count":N,"seed":S}, POST /_emulator/late-arrivals {"count":N},
/// GET|PUT /_emulator/clock {"now":"…"}.
/// </summary>
public static class EmulatorTime
{
    private const int ReissueStream = 0x23_01;
    private const int LateStream = 0x23_02;
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static int _lateCounter;

    /// <summary>Gives <paramref name="count"/> retained records (picked by <paramref name="seed"/>) a version one
    /// higher, lastModifiedDateTime = now, a new segment in their first session and changed stream metrics. Returns
    /// their ids.</summary>
    public static IReadOnlyList<string> Reissue(this EmulatorHost host, int count, int seed)
    {
        var store = host.Store;
        var now = host.Now;
        var retained = store.Snapshot.Where(e => e.Start >= now - Retention).Select(e => e.Id).ToList();
        if (count < 0 || count > retained.Count) throw new ArgumentOutOfRangeException(nameof(count), $"count must be between 0 and the {retained.Count} retained records.");
        var rng = new Random(seed);
        // Partial Fisher-Yates: a deterministic choice for a given store and seed.
        for (var i = 0; i < count; i++)
        {
            var j = i + rng.Next(retained.Count - i);
            (retained[i], retained[j]) = (retained[j], retained[i]);
        }
        var chosen = retained.Take(count).ToList();
        foreach (var id in chosen)
        {
            var result = store.Mutate(id, full =>
            {
                full["version"] = (full["version"] is { } v ? long.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) : 1) + 1;
                full["lastModifiedDateTime"] = Data.Det.Time(now);
                if (full["sessions"] is JsonArray { Count: > 0 } sessions && sessions[0] is JsonObject first)
                {
                    var segments = first["segments"] as JsonArray ?? (JsonArray)(first["segments"] = new JsonArray());
                    if (segments.Count > 0 && segments[^1] is JsonObject last)
                    {
                        var added = (JsonObject)last.DeepClone();
                        added["id"] = Data.Det.Guid(seed, ReissueStream, Hash(id), segments.Count);
                        segments.Add(added);
                    }
                    // Late telemetry: worse packet loss on every stream of the first session.
                    foreach (var segment in segments.OfType<JsonObject>())
                        foreach (var media in (segment["media"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                            foreach (var stream in (media["streams"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                                stream["averagePacketLossRate"] = 0.25;
                }
                return true;
            });
            if (result != CallRecordStore.WriteResult.Ok) throw new InvalidOperationException($"Record {id} could not be re-issued ({result}).");
        }
        return chosen;
    }

    /// <summary>Adds <paramref name="count"/> records that started 2 to 7 hours before now (copies of generated
    /// records under new ids, every time shifted), version 1. Returns their ids.</summary>
    public static IReadOnlyList<string> AddLateArrivals(this EmulatorHost host, int count)
    {
        var store = host.Store;
        var data = store.Data;
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (data.Records.Count == 0) throw new InvalidOperationException("The data set has no record to model late arrivals on.");
        var now = host.Now;
        var ids = new List<string>(count);
        for (var k = 0; k < count; k++)
        {
            var n = Interlocked.Increment(ref _lateCounter);
            var template = n % data.Records.Count;
            var record = data.BuildCallRecord(template);
            record["sessions"] = data.BuildSessions(template);
            record["participants_v2"] = data.BuildParticipants(template);
            record["organizer_v2"] = data.BuildOrganizer(template);
            var oldStart = DateTimeOffset.Parse(record["startDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var start = now - TimeSpan.FromHours(2 + k % 6) - TimeSpan.FromSeconds(k);
            Shift(record, start - oldStart);
            var id = Data.Det.Guid(host.Options.Seed, LateStream, n);
            record["id"] = id;
            record["version"] = 1L;
            record["lastModifiedDateTime"] = Data.Det.Time(now);
            var s = 0;
            foreach (var session in (record["sessions"] as JsonArray)!.OfType<JsonObject>())
                session["id"] = Data.Det.Guid(host.Options.Seed, LateStream, n, ++s);
            if (store.Create(record, out _) != CallRecordStore.WriteResult.Ok) throw new InvalidOperationException($"Late record {id} exists already.");
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>Moves the emulator's clock (retention, listing and ground truth all follow).</summary>
    public static DateTimeOffset SetClock(this EmulatorHost host, DateTimeOffset now)
    {
        host.Options.Now = now.ToUniversalTime();
        return host.Now;
    }

    private static long Hash(string id) => (long)Data.Det.Hash(0, ReissueStream, id.Aggregate(17L, (h, ch) => h * 31 + ch));

    /// <summary>Shifts every *DateTime string in the tree.</summary>
    private static void Shift(JsonNode? node, TimeSpan delta)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    var value = o[key];
                    if (key.EndsWith("DateTime", StringComparison.Ordinal) && value is JsonValue v && v.TryGetValue<string>(out var text) &&
                        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                        o[key] = Data.Det.Time(t + delta);
                    else Shift(value, delta);
                }
                break;
            case JsonArray a:
                foreach (var item in a) Shift(item, delta);
                break;
        }
    }

    internal static void Map(WebApplication app, EmulatorHost host)
    {
        HoldWaitApi.Map(app, host);
        var g = app.MapGroup("/_emulator");
        g.MapPost("/reissue", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            var count = Int(b, "count") ?? throw new BadHttpRequestException("count is required.");
            var ids = host.Reissue(count, Int(b, "seed") ?? 1);
            return Results.Text(new JsonObject { ["count"] = ids.Count, ["ids"] = Ids(ids) }.ToJsonString(), "application/json");
        });
        g.MapPost("/late-arrivals", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            var ids = host.AddLateArrivals(Int(b, "count") ?? throw new BadHttpRequestException("count is required."));
            return Results.Text(new JsonObject { ["count"] = ids.Count, ["ids"] = Ids(ids) }.ToJsonString(), "application/json");
        });
        g.MapGet("/clock", () => Results.Text(new JsonObject { ["now"] = Data.Det.Time(host.Now) }.ToJsonString(), "application/json"));
        g.MapPut("/clock", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            if (b["now"]?.GetValueKind() != JsonValueKind.String ||
                !DateTimeOffset.TryParse(b["now"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var now))
                throw new BadHttpRequestException("now is required: an ISO 8601 date-time.");
            return Results.Text(new JsonObject { ["now"] = Data.Det.Time(host.SetClock(now)) }.ToJsonString(), "application/json");
        });
    }

    private static JsonArray Ids(IEnumerable<string> ids) => new(ids.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    private static async Task<JsonObject> Body(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? new JsonObject();
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The body is not valid JSON: " + e.Message);
        }
    }

    private static int? Int(JsonObject o, string name) => o[name]?.GetValueKind() == JsonValueKind.Number ? o[name]!.GetValue<int>() : null;
}
