using System.Text.Json.Nodes;

namespace GraphEmulator.Data;

// Minimal stand-in for the real data generator (written concurrently elsewhere). Same public API, small shapes,
// deterministic for a seed; deleted when the real generator is merged.

public sealed record GeneratorOptions
{
    public int Seed { get; init; } = 1;
    public int Records { get; init; } = 500;
    public int Days { get; init; } = 30;
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    public int LogRows { get; init; } = 5000;
    public int LogDays { get; init; } = 180;
    public string TenantId { get; init; } = "dc368399-474c-4d40-900c-6265431fd81f";
}

public sealed record CallRecordEntry(int Index, string Id, DateTimeOffset StartDateTime, DateTimeOffset EndDateTime, string Type,
    IReadOnlyList<string> ParticipantIds, int SessionCount, int ParticipantCount);

public sealed record StreamTruth(string CallRecordId, string SessionId, string SegmentId, string StreamId, string MediaLabel,
    string StreamDirection, string Kind, string Quality, string? PoorReason);

public sealed class LogTable
{
    private readonly DateTimeOffset[] _times;
    private readonly string[] _ids;

    internal LogTable(string name, int seed, int count, DateTimeOffset now, int days)
    {
        Name = name;
        var rnd = new Random(HashCode.Combine(seed, name.Length, name[0]));
        _times = new DateTimeOffset[count];
        for (var i = 0; i < count; i++) _times[i] = now.AddSeconds(-rnd.NextDouble() * days * 86400);
        Array.Sort(_times);
        _ids = new string[count];
        for (var i = 0; i < count; i++) _ids[i] = StubIds.Guid(rnd);
    }

    public string Name { get; }
    public int Count => _times.Length;
    public DateTimeOffset Timestamp(int i) => _times[i];
    public string Id(int i) => _ids[i];

    public JsonObject BuildRow(int i) => new()
    {
        ["id"] = _ids[i],
        ["startDateTime"] = _times[i].UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"),
        ["endDateTime"] = _times[i].AddSeconds(60).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"),
        ["duration"] = 60,
    };
}

internal static class StubIds
{
    public static string Guid(Random rnd)
    {
        Span<byte> b = stackalloc byte[16];
        rnd.NextBytes(b);
        return new Guid(b).ToString();
    }
}

public sealed class EmulatorDataSet
{
    private readonly List<CallRecordEntry> _records = new();

    private EmulatorDataSet(GeneratorOptions o)
    {
        Options = o;
        var rnd = new Random(o.Seed);
        var starts = new DateTimeOffset[o.Records];
        for (var i = 0; i < o.Records; i++) starts[i] = o.Now.AddMinutes(-15).AddSeconds(-rnd.NextDouble() * (o.Days * 86400 - 900));
        Array.Sort(starts);
        for (var i = 0; i < o.Records; i++)
        {
            var big = i % 97 == 50;
            var sessions = big ? 150 : 1 + rnd.Next(3);
            var participants = big ? 300 : 2 + rnd.Next(4);
            var pids = new List<string>();
            for (var p = 0; p < participants; p++) pids.Add(StubIds.Guid(new Random(HashCode.Combine(o.Seed, i, p))));
            if (i % 10 == 0) pids[0] = "user-0000";
            _records.Add(new CallRecordEntry(i, StubIds.Guid(rnd), starts[i], starts[i].AddMinutes(5), big ? "groupCall" : "peerToPeer",
                pids, sessions, participants));
        }
        PstnCalls = new LogTable("pstnCalls", o.Seed, o.LogRows, o.Now, o.LogDays);
        DirectRoutingCalls = new LogTable("directRoutingCalls", o.Seed, o.LogRows, o.Now, o.LogDays);
        SmsLogs = new LogTable("smsLogs", o.Seed, o.LogRows / 5, o.Now, o.LogDays);
        PstnBlockedUsers = new LogTable("pstnBlockedUsers", o.Seed, o.LogRows / 50, o.Now, o.LogDays);
        PstnOnlineMeetingDialoutReport = new LogTable("pstnOnlineMeetingDialoutReport", o.Seed, o.LogRows / 50, o.Now, o.LogDays);
    }

    public static EmulatorDataSet Generate(GeneratorOptions o) => new(o);
    public GeneratorOptions Options { get; }
    public IReadOnlyList<CallRecordEntry> Records => _records;
    public LogTable PstnCalls { get; }
    public LogTable DirectRoutingCalls { get; }
    public LogTable SmsLogs { get; }
    public LogTable PstnBlockedUsers { get; }
    public LogTable PstnOnlineMeetingDialoutReport { get; }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");

    public JsonObject BuildCallRecord(int index)
    {
        var r = _records[index];
        return new JsonObject
        {
            ["id"] = r.Id,
            ["version"] = 1 + index % 3,
            ["type"] = r.Type,
            ["modalities"] = new JsonArray("audio"),
            ["lastModifiedDateTime"] = Iso(r.EndDateTime.AddMinutes(20)),
            ["startDateTime"] = Iso(r.StartDateTime),
            ["endDateTime"] = Iso(r.EndDateTime),
            ["joinWebUrl"] = null,
            ["organizer"] = null,
            ["participants"] = new JsonArray(),
        };
    }

    public JsonArray BuildSessions(int index)
    {
        var r = _records[index];
        var a = new JsonArray();
        for (var s = 0; s < r.SessionCount; s++)
        {
            a.Add(new JsonObject
            {
                ["id"] = $"{r.Id[..8]}-s{s:D4}",
                ["modalities"] = new JsonArray("audio"),
                ["startDateTime"] = Iso(r.StartDateTime),
                ["endDateTime"] = Iso(r.EndDateTime),
                ["segments"] = new JsonArray(new JsonObject
                {
                    ["id"] = $"{r.Id[..8]}-s{s:D4}-g0",
                    ["startDateTime"] = Iso(r.StartDateTime),
                    ["endDateTime"] = Iso(r.EndDateTime),
                }),
            });
        }
        return a;
    }

    public JsonArray BuildParticipants(int index)
    {
        var a = new JsonArray();
        foreach (var id in _records[index].ParticipantIds)
            a.Add(new JsonObject { ["id"] = id, ["identity"] = new JsonObject { ["user"] = new JsonObject { ["id"] = id } } });
        return a;
    }

    public JsonObject BuildOrganizer(int index)
    {
        var id = _records[index].ParticipantIds[0];
        return new JsonObject { ["id"] = id, ["identity"] = new JsonObject { ["user"] = new JsonObject { ["id"] = id } } };
    }

    public IReadOnlyList<StreamTruth> Streams(int index)
    {
        var r = _records[index];
        var list = new List<StreamTruth>();
        for (var s = 0; s < r.SessionCount; s++)
            list.Add(new StreamTruth(r.Id, $"{r.Id[..8]}-s{s:D4}", $"{r.Id[..8]}-s{s:D4}-g0", $"st{s}", "main-audio", "callerToCallee",
                "audio", s % 4 == 0 ? "Poor" : "Good", s % 4 == 0 ? "averageJitter" : null));
        return list;
    }
}
