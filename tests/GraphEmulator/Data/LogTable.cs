using System.Text.Json.Nodes;

namespace GraphEmulator.Data;

/// <summary>One lazily built log table (PSTN, direct routing, SMS, blocked users, dial-out report). Only the sorted
/// timestamps live in memory; each row is rebuilt from (seed, table, index) on demand.</summary>
public sealed class LogTable
{
    private readonly long[] _ticks;
    private readonly Func<int, bool, JsonObject> _build;
    private readonly int _seed;
    private readonly int _tag;

    internal LogTable(string name, int seed, int tag, long[] sortedTicks, Func<int, bool, JsonObject> build)
    {
        Name = name;
        _seed = seed;
        _tag = tag;
        _ticks = sortedTicks;
        _build = build;
    }

    /// <summary>pstnCalls, directRoutingCalls, smsLogs, pstnBlockedUsers or pstnOnlineMeetingDialoutReport.</summary>
    public string Name { get; }

    public int Count => _ticks.Length;

    /// <summary>The row's filter time (non-decreasing in i; exact ties and whole-minute values occur on purpose).</summary>
    public DateTimeOffset Timestamp(int i) => new(_ticks[i], TimeSpan.Zero);

    /// <summary>A stable key per row. For tables whose CSDL type has an id (PSTN, direct routing, SMS) it is the
    /// row's "id"; blocked-user and dial-out rows have no id property, so this is a server-side key only.</summary>
    public string Id(int i)
    {
        if ((uint)i >= (uint)_ticks.Length) throw new ArgumentOutOfRangeException(nameof(i));
        return Det.Guid(_seed, Det.LogId, _tag, i);
    }

    /// <summary>The row as v1.0 returns it (beta-only tables: as beta returns it). A fresh object each call.</summary>
    public JsonObject BuildRow(int i) => BuildRow(i, beta: false);

    /// <summary>The row as the given API version returns it: beta PSTN and direct-routing rows carry the extra
    /// properties of beta's callLogRow base type and their own beta-only properties.</summary>
    public JsonObject BuildRow(int i, bool beta)
    {
        if ((uint)i >= (uint)_ticks.Length) throw new ArgumentOutOfRangeException(nameof(i));
        return _build(i, beta);
    }

    /// <summary>First index whose timestamp is at or after <paramref name="t"/> (Count when none).</summary>
    public int LowerBound(DateTimeOffset t) => Bound(t.UtcTicks, strict: false);

    /// <summary>First index whose timestamp is strictly after <paramref name="t"/> (Count when none).</summary>
    public int UpperBound(DateTimeOffset t) => Bound(t.UtcTicks, strict: true);

    private int Bound(long ticks, bool strict)
    {
        int lo = 0, hi = _ticks.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ticks[mid] < ticks || (strict && _ticks[mid] == ticks)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>Sorted timestamps over [from, to): uniform, plus whole-minute, midnight and exact-tie cases so range
    /// boundaries in tests land exactly on rows.</summary>
    internal static long[] Timestamps(int seed, int tag, int count, DateTimeOffset from, DateTimeOffset to, bool midnightOnly)
    {
        var ticks = new long[Math.Max(0, count)];
        var span = Math.Max(TimeSpan.TicksPerMinute, to.UtcTicks - from.UtcTicks);
        var start = from.UtcTicks;
        for (var k = 0; k < ticks.Length; k++)
        {
            var h = Det.Hash(seed, Det.LogTimes, tag, k);
            var t = start + (long)(Det.Unit(h) * span);
            var snap = (h & 0x3FF) / 1024.0; // independent low bits decide the special cases
            if (midnightOnly) t -= t % TimeSpan.TicksPerDay;
            else if (k > 0 && snap < 0.02) t = ticks[k - 1];
            else if (snap < 0.025) t -= t % TimeSpan.TicksPerDay;
            else if (snap < 0.06) t -= t % TimeSpan.TicksPerMinute;
            else if (snap < 0.15) t -= t % TimeSpan.TicksPerSecond;
            else if (snap < 0.4) t -= t % TimeSpan.TicksPerMillisecond; // 3 digits, like direct-routing rows
            if (t < start) t = start - start % TimeSpan.TicksPerSecond + TimeSpan.TicksPerSecond;
            ticks[k] = t;
        }
        // Two rows exactly 90 days apart (Graph's longest log range), on whole minutes, so a window edge can land
        // exactly on a row whatever "now" the data set is built around.
        var pairStart = start - start % TimeSpan.TicksPerMinute + TimeSpan.TicksPerDay + TimeSpan.TicksPerMinute * (seed % 600);
        var pairEnd = pairStart + TimeSpan.TicksPerDay * 90;
        if (!midnightOnly && ticks.Length >= 2 && pairEnd < to.UtcTicks)
        {
            ticks[0] = pairStart;
            ticks[1] = pairEnd;
        }
        Array.Sort(ticks);
        return ticks;
    }
}
