using System.Text.Json.Nodes;

namespace GraphEmulator.Data;

/// <summary>The emulator's seeded tenant. Only a small index lives in memory (one entry per record, sorted log
/// timestamps); every JSON payload is rebuilt on demand from (Seed, Index), so BuildX(i) returns the same content
/// whenever and in whatever order it is called, and 100,000-record data sets stay cheap.</summary>
public sealed class EmulatorDataSet
{
    private readonly CallRecordEntry[] _records;
    private readonly Dictionary<string, int> _byId;
    private readonly long _windowStart;
    private readonly double _bucket;

    internal UserPool Pool { get; }

    private EmulatorDataSet(GeneratorOptions options)
    {
        Options = options;
        Pool = new UserPool(options.Seed);

        // Starts fall in [Now - Days, Now - 15 min - MaxDuration) so every call has ended and become visible.
        var windowStart = options.Now - TimeSpan.FromDays(options.Days);
        var windowEnd = options.Now - RecordPlan.ReadyDelay - RecordPlan.MaxDuration;
        if (windowEnd <= windowStart) windowEnd = windowStart + TimeSpan.FromMinutes(1);
        _windowStart = windowStart.UtcTicks;
        _bucket = options.Records == 0 ? 0 : (double)(windowEnd.UtcTicks - _windowStart) / options.Records;

        _records = new CallRecordEntry[options.Records];
        _byId = new Dictionary<string, int>(options.Records, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _records.Length; i++)
        {
            var plan = RecordPlan.Create(this, i);
            var ids = new string[plan.Participants.Length];
            for (var p = 0; p < ids.Length; p++) ids[p] = plan.Participants[p].Id;
            _records[i] = new CallRecordEntry(i, plan.Id, plan.Start, plan.End, plan.Type, ids, plan.SessionCount, ids.Length);
            _byId[plan.Id] = i;
        }

        var rows = new LogRows(this);
        var logFrom = options.Now - TimeSpan.FromDays(options.LogDays);
        var logTo = options.Now - TimeSpan.FromHours(1);
        LogTable Table(string name, int tag, Func<LogTable, int, bool, JsonObject> build, bool midnight = false)
        {
            LogTable? self = null;
            var from = midnight ? new DateTimeOffset(logFrom.UtcTicks - logFrom.UtcTicks % TimeSpan.TicksPerDay, TimeSpan.Zero).AddDays(1) : logFrom;
            self = new LogTable(name, options.Seed, tag, LogTable.Timestamps(options.Seed, tag, options.LogRows, from, logTo, midnight),
                (i, beta) => build(self!, i, beta));
            return self;
        }
        PstnCalls = Table("pstnCalls", LogRows.PstnTag, rows.Pstn);
        DirectRoutingCalls = Table("directRoutingCalls", LogRows.DirectRoutingTag, rows.DirectRouting);
        SmsLogs = Table("smsLogs", LogRows.SmsTag, (t, i, _) => rows.Sms(t, i));
        PstnBlockedUsers = Table("pstnBlockedUsers", LogRows.BlockedTag, (t, i, _) => rows.Blocked(t, i));
        PstnOnlineMeetingDialoutReport = Table("pstnOnlineMeetingDialoutReport", LogRows.DialoutTag, (t, i, _) => rows.Dialout(t, i), midnight: true);
    }

    public static EmulatorDataSet Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Records < 0) throw new ArgumentOutOfRangeException(nameof(options), "Records must not be negative.");
        if (options.LogRows < 0) throw new ArgumentOutOfRangeException(nameof(options), "LogRows must not be negative.");
        if (options.Days < 1 || options.LogDays < 1) throw new ArgumentOutOfRangeException(nameof(options), "Days and LogDays must be at least 1.");
        if (options.Now == default)
        {
            var now = DateTimeOffset.UtcNow;
            options = options with { Now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero) };
        }
        else
        {
            options = options with { Now = options.Now.ToUniversalTime() };
        }
        return new EmulatorDataSet(options);
    }

    /// <summary>The options as used (Now resolved to UTC).</summary>
    public GeneratorOptions Options { get; }

    /// <summary>Ascending (non-decreasing) by StartDateTime; Records[i].Index == i. Records that share a start are in
    /// index order here, while Graph's list (and EmulatorTruth) orders them by id: use the truth for list order.</summary>
    public IReadOnlyList<CallRecordEntry> Records => _records;

    public LogTable PstnCalls { get; }
    public LogTable DirectRoutingCalls { get; }
    public LogTable SmsLogs { get; }
    public LogTable PstnBlockedUsers { get; }
    public LogTable PstnOnlineMeetingDialoutReport { get; }

    /// <summary>Index of the record with this id (case-insensitive, as Graph treats GUIDs).</summary>
    public bool TryGetIndex(string id, out int index) => _byId.TryGetValue(id, out index);

    /// <summary>True for records designed to need nested paging (more than 60 sessions and 130 participants).</summary>
    public bool IsLargeCall(int index) => Plan(index).Large;

    /// <summary>The record as Graph lists it: no sessions, no participants_v2/organizer_v2, v1 organizer/participants
    /// as Graph sends them since they stopped returning data (null and []).</summary>
    public JsonObject BuildCallRecord(int index)
    {
        var p = Plan(index);
        return new JsonObject
        {
            ["version"] = p.Version,
            ["type"] = p.Type,
            ["modalities"] = new JsonArray(p.Modalities.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["lastModifiedDateTime"] = Det.Time(p.LastModified),
            ["startDateTime"] = Det.Time(p.Start),
            ["endDateTime"] = Det.Time(p.End),
            ["id"] = p.Id,
            ["joinWebUrl"] = p.JoinWebUrl,
            ["organizer"] = null,
            ["participants"] = new JsonArray(),
        };
    }

    /// <summary>Every session of the record, each with its full "segments" array.</summary>
    public JsonArray BuildSessions(int index) => new SessionBuilder(this, Plan(index), null).Build();

    /// <summary>participants_v2 of the record.</summary>
    public JsonArray BuildParticipants(int index) =>
        new(Plan(index).Participants.Select(p => (JsonNode?)IdentityJson.Participant(p)).ToArray());

    /// <summary>organizer_v2 of the record (its first participant).</summary>
    public JsonObject BuildOrganizer(int index)
    {
        var organizer = Plan(index).Participants[0];
        return new JsonObject { ["id"] = organizer.Id, ["identity"] = IdentityJson.FullSet(organizer) };
    }

    /// <summary>The designed class of every stream of the record, in document order of BuildSessions.</summary>
    public IReadOnlyList<StreamTruth> Streams(int index)
    {
        var truths = new List<StreamTruth>();
        new SessionBuilder(this, Plan(index), truths).Build();
        return truths;
    }

    private RecordPlan Plan(int index)
    {
        if ((uint)index >= (uint)_records.Length) throw new ArgumentOutOfRangeException(nameof(index));
        return RecordPlan.Create(this, index);
    }

    /// <summary>Some records are forced to be large so that small data sets still exercise nested paging: one once
    /// there are 20 records, a second once there are 200.</summary>
    internal bool IsForcedLarge(int index)
    {
        var n = Options.Records;
        return (n >= 20 && index == n * 37 / 100) || (n >= 200 && index == n * 81 / 100);
    }

    /// <summary>Start of record i: each record owns the i-th slice of the window, so starts ascend with the index
    /// without sorting. Some snap to whole seconds/minutes and some repeat their predecessor's start (exact ties).</summary>
    internal DateTimeOffset RecordStart(int index)
    {
        var h = Det.Hash(Options.Seed, Det.RecordTimes, index);
        // Only odd indexes tie to an even predecessor, so the tie never chains.
        if ((index & 1) == 1 && (h & 0xFF) < 3) return BaseStart(index - 1);
        return BaseStart(index);
    }

    private DateTimeOffset BaseStart(int index)
    {
        var h = Det.Hash(Options.Seed, Det.RecordTimes, index, 1);
        var low = _windowStart + (long)(index * _bucket);
        var t = _windowStart + (long)((index + Det.Unit(h)) * _bucket);
        var snap = (h & 0x3FF) / 1024.0;
        long snapped = t;
        if (snap < 0.02) snapped = t - t % TimeSpan.TicksPerMinute;
        else if (snap < 0.1) snapped = t - t % TimeSpan.TicksPerSecond;
        if (snapped >= low) t = snapped; // never leave the record's own slice, or the order would break
        return new DateTimeOffset(t, TimeSpan.Zero);
    }
}
