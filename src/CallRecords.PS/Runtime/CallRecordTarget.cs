using System;
using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>The level a pipeline input names: a whole call record, one session of it, or one segment of a session.</summary>
internal enum TargetLevel
{
    Record,
    Session,
    Segment,
}

/// <summary>
/// One pipeline input of the nested-collection cmdlets, resolved to the level it names: a call record (a record
/// object, a participant, a bare id string, a record's CSV row), a session (a session object or row), or a segment (a
/// segment object or row, a stream row). It keeps the object when one was piped (an expanded record or a session with
/// its segments costs no request) and the connection the object was read through.
/// </summary>
internal sealed class CallRecordTarget
{
    private CallRecordTarget(TargetLevel level, string callRecordId, string? sessionId, string? segmentId, object? known, CallRecordConnection? origin, bool fromStream = false)
    {
        Level = level;
        Depth = fromStream ? 3 : (int)level;
        CallRecordId = callRecordId;
        SessionId = sessionId;
        SegmentId = segmentId;
        Known = known;
        Origin = origin;
    }

    public TargetLevel Level { get; }
    /// <summary>How deep the input itself was: the level, or 3 for a stream row (which names its segment). An input
    /// deeper than what a cmdlet writes gives its ancestor once per run.</summary>
    public int Depth { get; }
    public string CallRecordId { get; }
    public string? SessionId { get; }
    public string? SegmentId { get; }
    /// <summary>The piped model object (CallRecord, CallRecordSession or CallRecordSegment), when there was one.</summary>
    public object? Known { get; }
    /// <summary>The connection the piped object was read through; null for strings and CSV rows.</summary>
    public CallRecordConnection? Origin { get; }

    public static CallRecordTarget Record(string id, CallRecord? known = null, CallRecordConnection? origin = null) =>
        new(TargetLevel.Record, id, null, null, known, origin);

    public static CallRecordTarget Session(string callRecordId, string sessionId, CallRecordSession? known = null, CallRecordConnection? origin = null) =>
        new(TargetLevel.Session, callRecordId, sessionId, null, known, origin);

    public static CallRecordTarget Segment(string callRecordId, string sessionId, string segmentId, CallRecordSegment? known = null, CallRecordConnection? origin = null,
        bool fromStream = false) =>
        new(TargetLevel.Segment, callRecordId, sessionId, segmentId, known, origin, fromStream);

    /// <summary>Text for progress and error targets.</summary>
    public string Describe() => Level switch
    {
        TargetLevel.Segment => $"segment {SegmentId} of session {SessionId} of call record {CallRecordId}",
        TargetLevel.Session => $"session {SessionId} of call record {CallRecordId}",
        _ => "call record " + CallRecordId,
    };

    /// <summary>The key of the session (record id / session id) or of the record.</summary>
    public string KeyAt(TargetLevel level) => level switch
    {
        TargetLevel.Record => CallRecordId,
        TargetLevel.Session => CallRecordId + "/" + SessionId,
        _ => CallRecordId + "/" + SessionId + "/" + SegmentId,
    };

    /// <summary>
    /// Resolves a piped object. Model objects resolve by type; strings are call record ids; anything else (an
    /// Import-Csv row, a Select-Object projection, a hashtable-made object) by its properties:
    /// <list type="number">
    /// <item>CallRecordId, SessionId and SegmentId (a stream row): that segment.</item>
    /// <item>a Media column with CallRecordId, SessionId and Id (a segment row): that segment.</item>
    /// <item>an IsOrganizer column with CallRecordId (a participant row): the call record.</item>
    /// <item>a Version column (a call record row): the call record Id (or CallRecordId).</item>
    /// <item>a Segments, Modalities or IsTest column with CallRecordId and Id (a session row): that session.</item>
    /// <item>otherwise CallRecordId, SessionId and Id: a segment; CallRecordId and SessionId: a session; CallRecordId
    /// or Id alone: a call record.</item>
    /// </list>
    /// A session's id and its first segment's id are often the same in Graph, so the columns, not the values, decide.
    /// Ids are checked (<see cref="GraphId"/>); a refused input throws <see cref="CallRecordsException"/>.
    /// </summary>
    public static CallRecordTarget Resolve(object? input)
    {
        var value = input is PSObject ps ? ps.BaseObject : input;
        switch (value)
        {
            case null:
                throw CallRecordsException.InputNotRecognized("(null)");
            case CallRecord r:
                return Record(Id(r.Id, GraphIdKind.CallRecord), r, r.Origin);
            case CallRecordSession s:
                return Session(Id(s.CallRecordId, GraphIdKind.CallRecord), Id(s.Id, GraphIdKind.Session), s, s.Origin);
            case CallRecordSegment g:
                return Segment(Id(g.CallRecordId, GraphIdKind.CallRecord), Id(g.SessionId, GraphIdKind.Session), Id(g.Id, GraphIdKind.Segment), g, g.Origin);
            case CallRecordStream row:
                return Segment(Id(row.CallRecordId, GraphIdKind.CallRecord), Id(row.SessionId, GraphIdKind.Session), Id(row.SegmentId, GraphIdKind.Segment), null, row.Origin, fromStream: true);
            case CallRecordParticipant p:
                return Record(Id(p.CallRecordId, GraphIdKind.CallRecord), null, p.Origin);
            case string text:
                return Record(Id(text, GraphIdKind.CallRecord));
        }
        if (input is PSObject row2 && FromProperties(row2) is { } fromRow) return fromRow;
        throw CallRecordsException.InputNotRecognized(value.GetType().Name);
    }

    private static CallRecordTarget? FromProperties(PSObject row)
    {
        string? Text(string name) => row.Properties[name]?.Value is { } v && v.ToString() is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s : null;
        bool Has(string name) => row.Properties[name] is not null;
        var record = Text("CallRecordId");
        var session = Text("SessionId");
        var segment = Text("SegmentId");
        var id = Text("Id");
        if (record is not null && session is not null && segment is not null)
            return Segment(Id(record, GraphIdKind.CallRecord), Id(session, GraphIdKind.Session), Id(segment, GraphIdKind.Segment), fromStream: true);
        if (Has("Media") && record is not null && session is not null && id is not null)
            return Segment(Id(record, GraphIdKind.CallRecord), Id(session, GraphIdKind.Session), Id(id, GraphIdKind.Segment));
        if (Has("IsOrganizer") && record is not null) return Record(Id(record, GraphIdKind.CallRecord));
        if (Has("Version") && (id ?? record) is { } recordId) return Record(Id(recordId, GraphIdKind.CallRecord));
        if ((Has("Segments") || Has("Modalities") || Has("IsTest")) && record is not null && id is not null)
            return Session(Id(record, GraphIdKind.CallRecord), Id(id, GraphIdKind.Session));
        if (record is not null && session is not null && id is not null)
            return Segment(Id(record, GraphIdKind.CallRecord), Id(session, GraphIdKind.Session), Id(id, GraphIdKind.Segment));
        if (record is not null && session is not null) return Session(Id(record, GraphIdKind.CallRecord), Id(session, GraphIdKind.Session));
        if ((record ?? id) is { } onlyRecord) return Record(Id(onlyRecord, GraphIdKind.CallRecord));
        return null;
    }

    private static string Id(string? raw, GraphIdKind kind) => GraphId.Require(raw, kind);
}
