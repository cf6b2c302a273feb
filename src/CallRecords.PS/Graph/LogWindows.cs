using System;
using System.Collections.Generic;

namespace CallRecords.Graph;

/// <summary>One slice [Start, End) of a requested range; Index is its 0-based position, Count the number of slices.</summary>
internal readonly struct TimeWindow : IEquatable<TimeWindow>
{
    public TimeWindow(DateTimeOffset start, DateTimeOffset end, int index, int count)
    {
        Start = start;
        End = end;
        Index = index;
        Count = count;
    }

    public DateTimeOffset Start { get; }
    public DateTimeOffset End { get; }
    public int Index { get; }
    public int Count { get; }
    public bool IsLast => Index == Count - 1;

    public bool Equals(TimeWindow other) => Start == other.Start && End == other.End && Index == other.Index && Count == other.Count;
    public override bool Equals(object? obj) => obj is TimeWindow w && Equals(w);
    public override int GetHashCode() => Start.GetHashCode() ^ (End.GetHashCode() * 31) ^ Index;
    public override string ToString() => $"{Start.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z – {End.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
}

/// <summary>
/// Splits a half-open range into consecutive windows no longer than Graph accepts for the PSTN-type log functions
/// (90 days): each window starts where the previous one ended, so together they cover the range exactly once.
/// </summary>
internal static class LogWindows
{
    /// <summary>Graph refuses getPstnCalls and its siblings over longer ranges (406).</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(90);

    public static IReadOnlyList<TimeWindow> Split(DateTimeOffset start, DateTimeOffset end) => Split(start, end, MaxSpan);

    public static IReadOnlyList<TimeWindow> Split(DateTimeOffset start, DateTimeOffset end, TimeSpan maxSpan)
    {
        if (maxSpan <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxSpan), "The window length must be positive.");
        start = start.ToUniversalTime();
        end = end.ToUniversalTime();
        if (end <= start) throw new ArgumentException("The end of the range must be later than its start.", nameof(end));
        var total = end.UtcTicks - start.UtcTicks;
        var count = (int)((total + maxSpan.Ticks - 1) / maxSpan.Ticks);
        var windows = new List<TimeWindow>(count);
        for (var i = 0; i < count; i++)
        {
            var s = start.AddTicks(maxSpan.Ticks * i);
            var e = i == count - 1 ? end : s.Add(maxSpan);
            windows.Add(new TimeWindow(s, e, i, count));
        }
        return windows;
    }
}
