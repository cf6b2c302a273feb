using System;
using System.Globalization;
using System.Management.Automation;

namespace CallRecords.Graph;

/// <summary>What an id names, for its error id and message.</summary>
internal enum GraphIdKind
{
    CallRecord,
    Session,
    Segment,
    /// <summary>A participant id inside a $filter literal (quotes are escaped there, not refused).</summary>
    Participant,
}

/// <summary>
/// The one check every id goes through before it becomes part of a request: call record, session and segment ids
/// become URL path segments, participant ids a quoted $filter literal. Graph's ids are GUIDs (participants: object
/// ids, phone numbers, …), so anything that could change the request's meaning is refused: '.' and '..' (a client's
/// URL normalisation turns them into a different path — a DELETE of a session could become a DELETE of the record),
/// '/', '\', '?', '#', '%', control characters, and values far longer than any id. Escaping alone cannot make '..'
/// safe: System.Uri removes dot segments even when escaped.
/// </summary>
internal static class GraphId
{
    /// <summary>Longer than any Graph id (a GUID is 36 characters; phone-number participant ids are shorter).</summary>
    public const int MaxLength = 128;

    /// <summary>Characters no call record, session or segment id contains; each one changes a URL path or query.</summary>
    private static readonly char[] PathForbidden = { '/', '\\', '?', '#', '%', '\'', '"', '&', '+', '*', ':', '<', '>', ';', '=' };

    /// <summary>Null when <paramref name="raw"/> (trimmed into <paramref name="id"/>) is usable as an id of this kind;
    /// otherwise why not, in words for the error message.</summary>
    public static string? Problem(string? raw, GraphIdKind kind, out string id)
    {
        id = raw?.Trim() ?? string.Empty;
        if (id.Length == 0) return "is empty";
        if (id.Length > MaxLength) return string.Format(CultureInfo.InvariantCulture, "is {0:N0} characters long; ids are at most {1}", id.Length, MaxLength);
        foreach (var c in id)
            if (char.IsControl(c)) return string.Format(CultureInfo.InvariantCulture, "contains the control character U+{0:X4}", (int)c);
        if (kind == GraphIdKind.Participant) return null;
        if (id == "." || id == "..") return "is a relative path ('.' or '..'), not an id";
        foreach (var c in id)
        {
            if (char.IsWhiteSpace(c)) return "contains a space";
            if (Array.IndexOf(PathForbidden, c) >= 0) return $"contains '{c}', which ids never contain";
        }
        return null;
    }

    /// <summary>The error for an id <see cref="Problem"/> refused: CallRecordIdEmpty / CallRecordIdMalformed (and the
    /// same for sessions, segments, participants), with the raw value as its target.</summary>
    public static CallRecordsException Refused(string? raw, GraphIdKind kind, string problem)
    {
        var noun = Noun(kind);
        var empty = problem == "is empty";
        var shown = Show(raw);
        var message = empty
            ? $"A {noun} id is empty."
            : $"{shown} is not a {noun} id: it {problem}. Ids are GUIDs such as 2f1a5e3c-8a9b-4c7d-9e0f-1a2b3c4d5e6f, without spaces, quotes or URL characters; nothing was sent to Graph for it.";
        var action = kind switch
        {
            GraphIdKind.Session => "Pass the Id of a session (Get-CallRecordSession -CallRecordId <id> lists them), or pipe the session itself.",
            GraphIdKind.Segment => "Pass the Id of a segment (Get-CallRecordSegment lists them), or pipe the segment itself.",
            GraphIdKind.Participant => "Pass a participant's id as Get-CallRecordParticipant shows it (Identity.Id).",
            _ => "Pass the Id property of a call record (Get-CallRecord lists them), or pipe the record itself.",
        };
        return new CallRecordsException(Prefix(kind) + (empty ? "Empty" : "Malformed"), ErrorCategory.InvalidArgument, message, action, raw);
    }

    /// <summary>The checked id, or <see cref="Refused"/> thrown.</summary>
    public static string Require(string? raw, GraphIdKind kind) =>
        Problem(raw, kind, out var id) is { } problem ? throw Refused(raw, kind, problem) : id;

    /// <summary>An id for a message: quoted, and cut when it is long (a 10,000-character value is not repeated).</summary>
    public static string Show(string? raw)
    {
        if (raw is null) return "(null)";
        const int shown = 60;
        var text = raw.Length <= shown ? raw : raw.Substring(0, shown) + "…";
        var sb = new System.Text.StringBuilder(text.Length + 2).Append('\'');
        foreach (var c in text) sb.Append(char.IsControl(c) ? '?' : c);
        sb.Append('\'');
        if (raw.Length > shown) sb.Append(string.Format(CultureInfo.InvariantCulture, " ({0:N0} characters)", raw.Length));
        return sb.ToString();
    }

    private static string Noun(GraphIdKind kind) => kind switch
    {
        GraphIdKind.Session => "session",
        GraphIdKind.Segment => "segment",
        GraphIdKind.Participant => "participant",
        _ => "call record",
    };

    private static string Prefix(GraphIdKind kind) => kind switch
    {
        GraphIdKind.Session => "SessionId",
        GraphIdKind.Segment => "SegmentId",
        GraphIdKind.Participant => "ParticipantId",
        _ => "CallRecordId",
    };
}
