using CallRecords.Runtime;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Models.Mapping;

namespace CallRecords.Archive;

/// <summary>
/// Reads one call record completely for the archive, keeping Graph's JSON of every entity beside the module's
/// mapping: GET …/{id}?$expand=sessions($expand=segments) (Graph expands one relationship per request), every
/// sessions@odata.nextLink and segments@odata.nextLink followed with the one page streamer, then participants_v2
/// (every page) and organizer_v2. Either the whole record comes back or the call fails; nothing partial is archived.
/// </summary>
internal sealed class ArchiveRecordReader
{
    /// <summary>Requests one record costs without nested paging: the expanded GET, participants_v2, organizer_v2.</summary>
    public const int RequestsPerRecord = 3;

    private readonly PageStreamer _pages;

    public ArchiveRecordReader(PageStreamer pages) => _pages = pages;

    public async Task<ArchivedRecord> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var path = CallRecordReader.RecordPath(id);
        var head = await _pages.GetAsync(GraphQuery.ForPath(path).WithExpand(CallRecordReader.SessionsExpand), root =>
        {
            var record = CallRecordMapper.MapCallRecord(root);
            var sessions = new List<PendingSession>();
            if (root.TryGetProperty("sessions", out var array) && array.ValueKind == JsonValueKind.Array)
                foreach (var s in array.EnumerateArray()) sessions.Add(PendingSession.Read(s, record.Id));
            record.Sessions = null;
            return new Head(record, Strip(root, "sessions", "participants_v2", "organizer_v2"), sessions, Link(root, "sessions@odata.nextLink"));
        }, cancellationToken).ConfigureAwait(false);
        var recordId = head.Record.Id;

        var pending = head.Sessions;
        if (head.SessionsNext is { } next)
            await foreach (var page in _pages.StreamAsync(GraphQuery.ForUrl(next), e => PendingSession.Read(e, recordId), cancellationToken).ConfigureAwait(false))
                pending.AddRange(page.Items);

        var sessions = new List<ArchivedSession>(pending.Count);
        foreach (var s in pending)
        {
            if (s.SegmentsNext is { } link)
                await foreach (var page in _pages.StreamAsync(GraphQuery.ForUrl(link), e => ReadSegment(e, recordId, s.Session.Id), cancellationToken).ConfigureAwait(false))
                    s.Segments.AddRange(page.Items);
            s.Session.Segments = new ModelList<CallRecordSegment>(s.Segments.Select(g => g.Segment).ToList());
            sessions.Add(new ArchivedSession(s.Session, s.Json, s.Segments));
        }
        head.Record.Sessions = new ModelList<CallRecordSession>(sessions.Select(s => s.Session).ToList());

        var participants = new List<ArchivedParticipant>();
        await foreach (var page in _pages.StreamAsync(GraphQuery.ForPath(path + "/participants_v2"), e => ReadParticipant(e, recordId), cancellationToken).ConfigureAwait(false))
            participants.AddRange(page.Items);
        head.Record.Participants = new ModelList<CallRecordParticipant>(participants.Select(p => p.Participant).ToList());
        head.Record.ParticipantCount = participants.Count;

        // Read as the record with the organizer expanded: its 404 can only mean the record is gone (see CallRecordReader).
        var organizer = await _pages.GetAsync(GraphQuery.ForPath(path).WithSelect(new[] { "id" }).WithExpand(CallRecordReader.OrganizerExpand),
            root => root.TryGetProperty("organizer_v2", out var o) && o.ValueKind == JsonValueKind.Object ? ReadParticipant(o, recordId) : null,
            cancellationToken).ConfigureAwait(false);
        if (organizer is not null) head.Record.Organizer = organizer.Participant.Identity;

        var streams = StreamRows.FromSessions(head.Record.Sessions).ToList();
        return new ArchivedRecord(head.Record, head.Json, sessions, participants, organizer, streams);
    }

    private static ArchivedSegment ReadSegment(JsonElement e, string recordId, string sessionId) =>
        new(CallRecordMapper.MapSegment(e, recordId, sessionId), Strip(e));

    private static ArchivedParticipant ReadParticipant(JsonElement e, string recordId) =>
        new(CallRecordMapper.MapParticipant(e, recordId), Strip(e));

    /// <summary>The object's properties as Graph sent them, without the named ones and without OData annotations
    /// (@odata.context, …@odata.nextLink), which belong to one response, not to the entity.</summary>
    internal static string Strip(JsonElement e, params string[] without)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new JsonException("Graph returned an entity that is not a JSON object.");
        using var buffer = new MemoryStream();
        // Not a using statement: Utf8JsonWriter also implements IAsyncDisposable, which this assembly does not reference.
        var w = new Utf8JsonWriter(buffer);
        try
        {
            w.WriteStartObject();
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name.IndexOf("@odata.", StringComparison.Ordinal) >= 0 || Array.IndexOf(without, p.Name) >= 0) continue;
                p.WriteTo(w);
            }
            w.WriteEndObject();
            w.Flush();
        }
        finally
        {
            w.Dispose();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Uri? Link(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) return null;
        return Uri.TryCreate(v.GetString(), UriKind.Absolute, out var uri) ? uri : throw new JsonException($"Graph returned a {name} that is not an absolute URL.");
    }

    private sealed class Head
    {
        public Head(CallRecord record, string json, List<PendingSession> sessions, Uri? sessionsNext)
        {
            Record = record;
            Json = json;
            Sessions = sessions;
            SessionsNext = sessionsNext;
        }

        public CallRecord Record { get; }
        public string Json { get; }
        public List<PendingSession> Sessions { get; }
        public Uri? SessionsNext { get; }
    }

    private sealed class PendingSession
    {
        private PendingSession(CallRecordSession session, string json, List<ArchivedSegment> segments, Uri? segmentsNext)
        {
            Session = session;
            Json = json;
            Segments = segments;
            SegmentsNext = segmentsNext;
        }

        public CallRecordSession Session { get; }
        public string Json { get; }
        public List<ArchivedSegment> Segments { get; }
        public Uri? SegmentsNext { get; }

        public static PendingSession Read(JsonElement e, string recordId)
        {
            var session = CallRecordMapper.MapSession(e, recordId);
            var segments = new List<ArchivedSegment>();
            if (e.TryGetProperty("segments", out var array) && array.ValueKind == JsonValueKind.Array)
                foreach (var g in array.EnumerateArray()) segments.Add(ReadSegment(g, recordId, session.Id));
            return new PendingSession(session, Strip(e, "segments"), segments, Link(e, "segments@odata.nextLink"));
        }
    }
}
