using System;
using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>Value conventions the PSTN-type log rows share: durations in whole seconds, and DateTimeOffset.MinValue
/// (0001-01-01T00:00:00Z) standing for "none".</summary>
internal static class LogRowValues
{
    /// <summary>Graph sends these durations as a number of seconds (Int32); the rows keep the number (DurationSeconds)
    /// so Export-Csv writes a cell a spreadsheet can sum and filter.</summary>
    public static long? Seconds(this JsonElement e, string name) => e.Int64(name);

    /// <summary>A date-time where 0001-01-01T00:00:00Z means "not applicable" (directRoutingLogRow.failureDateTime of
    /// a successful call).</summary>
    public static DateTimeOffset? OptionalDate(this JsonElement e, string name) =>
        e.Date(name) is { } d && d.UtcTicks != DateTimeOffset.MinValue.UtcTicks ? d : null;
}
