using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CallRecords.Graph;

/// <summary>Builds the $filter expressions Graph accepts for call records.</summary>
internal static class ODataFilter
{
    /// <summary>An OData string literal: single quotes doubled, so a value can never end the literal early.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>The module's one date literal (filters, function parameters, JSON bodies): UTC, ISO 8601 with 'Z' and
    /// only as many fractional digits as the value has (none, and no point, for whole seconds).</summary>
    public static string DateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>startDateTime ge {start} and startDateTime lt {end} (either side optional).</summary>
    public static string? StartDateTimeRange(DateTimeOffset? start, DateTimeOffset? end)
    {
        var parts = new List<string>(2);
        if (start is { } s) parts.Add("startDateTime ge " + DateTime(s));
        if (end is { } e) parts.Add("startDateTime lt " + DateTime(e));
        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }

    public static string ParticipantId(string id) => "participants_v2/any(p:p/id eq " + Literal(id) + ")";

    /// <summary>Joins non-empty clauses with "and"; a raw user filter is parenthesised so its own "or" stays inside.</summary>
    public static string? And(params string?[] clauses)
    {
        var present = clauses.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!.Trim()).ToList();
        if (present.Count == 0) return null;
        if (present.Count == 1) return present[0];
        return string.Join(" and ", present.Select(c => NeedsParentheses(c) ? "(" + c + ")" : c));
    }

    private static bool NeedsParentheses(string clause) =>
        clause.IndexOf(" or ", StringComparison.OrdinalIgnoreCase) >= 0;
}
