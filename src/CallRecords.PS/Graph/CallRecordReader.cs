using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Models;
using CallRecords.Models.Mapping;

namespace CallRecords.Graph;

[Flags]
internal enum RecordExpansion
{
    None = 0,
    /// <summary>sessions with their segments, every nested nextLink followed.</summary>
    Sessions = 1,
    /// <summary>participants_v2 (every nextLink followed) and organizer_v2.</summary>
    Participants = 2,
}

/// <summary>What a connection learned about large list pages: set once its service refused the module's default
/// page size, so later lists ask for Graph's default straight away.</summary>
internal sealed class ListPageSizeState
{
    private int _refused;

    public bool RefusedLargePages
    {
        get => System.Threading.Volatile.Read(ref _refused) != 0;
        set => System.Threading.Volatile.Write(ref _refused, value ? 1 : 0);
    }
}

/// <summary>
/// Reads call records and their nested collections through the page streamer. Nested continuation links
/// (sessions@odata.nextLink, participants_v2@odata.nextLink, segments@odata.nextLink) are streamed with the same
/// streamer and appended, so an expanded record is always complete or the call fails.
/// </summary>
internal sealed class CallRecordReader
{
    public const string CollectionPath = "communications/callRecords";
    public const string SessionsExpand = "sessions($expand=segments)";
    public const string ParticipantsExpand = "participants_v2";
    public const string OrganizerExpand = "organizer_v2";

    private readonly PageStreamer _pages;

    public CallRecordReader(PageStreamer pages) => _pages = pages;

    /// <summary>The page size asked for when the user gives none. Graph lists 60 per page by default, and its list
    /// limit (40 requests / 20 s per app per tenant) then decides how long a large listing takes; Graph documents
    /// Prefer: odata.maxpagesize but not its maximum for call records, so the module asks for 999 and copes with a
    /// service that caps it (smaller pages simply arrive) or refuses it (see <see cref="ListAsync"/>).</summary>
    public const int DefaultListPageSize = 999;

    /// <param name="pageSize">The user's -PageSize; null: <see cref="DefaultListPageSize"/>, or fewer when
    /// <paramref name="needed"/> (what -First and -Skip need from this query) is less.</param>
    public static GraphQuery ListQuery(string? filter, IEnumerable<string>? select, int? pageSize, ulong needed = ulong.MaxValue)
    {
        var query = GraphQuery.ForPath(CollectionPath).WithFilter(filter).WithSelect(select);
        return pageSize is { } size ? query.WithMaxPageSize(size) : query.WithDefaultMaxPageSize(DefaultPageSize(needed));
    }

    /// <summary>999, or what the caller needs when that is less (at least 1).</summary>
    public static int DefaultPageSize(ulong needed) => needed >= DefaultListPageSize ? DefaultListPageSize : (int)Math.Max(1UL, needed);

    public static string RecordPath(string id) => CollectionPath + "/" + GraphQuery.Segment(id);

    /// <summary>…/{id}/sessions: the one place session paths are built (reads and writes).</summary>
    public static string SessionsPath(string callRecordId) => RecordPath(callRecordId) + "/sessions";

    /// <summary>…/{id}/sessions/{sessionId}, both ids checked and escaped.</summary>
    public static string SessionPath(string callRecordId, string sessionId) => SessionsPath(callRecordId) + "/" + GraphQuery.Segment(sessionId, GraphIdKind.Session);

    /// <summary>
    /// The pages of a call-record list. A page size the module chose itself (<see cref="GraphQuery.PageSizeIsDefault"/>)
    /// that the service refuses with 400 on the first page is asked once more without Prefer: odata.maxpagesize; when
    /// that succeeds, the connection remembers it (every later list on it asks for Graph's default straight away) and
    /// -Verbose says so. When the request without it fails as well, that failure is the answer (the 400 was about
    /// something else, such as the filter) and nothing is remembered. A page size the user gave is never dropped.
    /// </summary>
    public async IAsyncEnumerable<GraphPage<CallRecord>> ListAsync(GraphQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var paging = _pages.ListPaging;
        if (query.PageSizeIsDefault && paging.RefusedLargePages) query = query.WithMaxPageSize(null);
        var pages = _pages.StreamAsync(query, CallRecordMapper.MapCallRecord, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var first = true;
            while (true)
            {
                bool moved;
                try
                {
                    moved = await pages.MoveNextAsync().ConfigureAwait(false);
                }
                catch (GraphRequestException refused) when (first && refused.StatusCode == 400 && query.PageSizeIsDefault && query.MaxPageSize is { } asked)
                {
                    await pages.DisposeAsync().ConfigureAwait(false);
                    var fallback = query.WithMaxPageSize(null);
                    pages = _pages.StreamAsync(fallback, CallRecordMapper.MapCallRecord, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    moved = await pages.MoveNextAsync().ConfigureAwait(false);
                    paging.RefusedLargePages = true;
                    _pages.Notify($"Graph refused a page size of {asked} (Prefer: odata.maxpagesize) with 400 ({refused.ErrorCode ?? "BadRequest"}: {refused.GraphMessage}); " +
                                  "this and every later list on this connection use Graph's default page size.");
                }
                if (!moved) yield break;
                first = false;
                yield return pages.Current;
            }
        }
        finally
        {
            await pages.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>GET one record, expanded as asked, with its Organizer (organizer_v2). Graph expands one
    /// relationship per request: without other expansions the organizer rides along ($expand=organizer_v2);
    /// otherwise it (and participants, when sessions took the slot) is read with its own request.</summary>
    /// <param name="organizer">False skips the organizer's extra request when sessions or participants are expanded
    /// (the list expansions: one request per record).</param>
    /// <param name="id">The call record id (checked and escaped).</param>
    /// <param name="expand">What to expand besides the organizer.</param>
    /// <param name="select">$select, or null for every property.</param>
    /// <param name="cancellationToken">Stops every request of the read.</param>
    public async Task<CallRecord> GetAsync(string id, RecordExpansion expand, IEnumerable<string>? select, CancellationToken cancellationToken, bool organizer = true)
    {
        var sessions = (expand & RecordExpansion.Sessions) != 0;
        var participants = (expand & RecordExpansion.Participants) != 0;
        var query = GraphQuery.ForPath(RecordPath(id)).WithSelect(select)
            .WithExpand(sessions ? SessionsExpand : participants ? ParticipantsExpand : OrganizerExpand);
        var (record, sessionsNext, participantsNext, segmentLinks) = await _pages.GetAsync(query, root =>
        {
            var r = CallRecordMapper.MapCallRecord(root);
            return (r, Link(root, "sessions@odata.nextLink"), Link(root, "participants_v2@odata.nextLink"), InlineSegmentLinks(root, r));
        }, cancellationToken).ConfigureAwait(false);

        if (sessions)
        {
            var all = new List<CallRecordSession>(record.Sessions ?? (IEnumerable<CallRecordSession>)Array.Empty<CallRecordSession>());
            await CompleteSegmentsAsync(all, segmentLinks, cancellationToken).ConfigureAwait(false);
            if (sessionsNext is not null)
                await foreach (var page in SessionPagesAsync(GraphQuery.ForUrl(sessionsNext), record.Id, cancellationToken).ConfigureAwait(false))
                    all.AddRange(page.Items);
            record.Sessions = new ModelList<CallRecordSession>(all);
        }
        if (participants)
        {
            List<CallRecordParticipant> all;
            if (sessions)
            {
                all = new List<CallRecordParticipant>();
                await foreach (var page in ParticipantsAsync(record.Id, cancellationToken).ConfigureAwait(false)) all.AddRange(page.Items);
            }
            else
            {
                all = new List<CallRecordParticipant>(record.Participants ?? (IEnumerable<CallRecordParticipant>)Array.Empty<CallRecordParticipant>());
                if (participantsNext is not null)
                    await foreach (var page in _pages.StreamAsync(GraphQuery.ForUrl(participantsNext), e => CallRecordMapper.MapParticipant(e, record.Id), cancellationToken).ConfigureAwait(false))
                        all.AddRange(page.Items);
            }
            record.Participants = new ModelList<CallRecordParticipant>(all);
            record.ParticipantCount = all.Count;
        }
        if ((sessions || participants) && organizer)
            record.Organizer ??= await GetOrganizerAsync(record.Id, cancellationToken).ConfigureAwait(false);
        if (record.Participants is { } list && record.Organizer is { } known) CallRecordMapper.MarkOrganizer(list, known);
        return record;
    }

    /// <summary>GET …/{id}/sessions/{sessionId}[?$expand=segments], with every segments nextLink followed.</summary>
    public async Task<CallRecordSession> GetSessionAsync(string callRecordId, string sessionId, bool expandSegments, CancellationToken cancellationToken)
    {
        var query = GraphQuery.ForPath(SessionPath(callRecordId, sessionId)).WithExpand(expandSegments ? "segments" : null);
        var read = await _pages.GetAsync(query, e => new SessionWithLink(CallRecordMapper.MapSession(e, callRecordId), Link(e, "segments@odata.nextLink")), cancellationToken).ConfigureAwait(false);
        var links = new Dictionary<CallRecordSession, Uri>();
        if (read.SegmentsNext is { } next) links[read.Session] = next;
        await CompleteSegmentsAsync(new[] { read.Session }, links, cancellationToken).ConfigureAwait(false);
        return read.Session;
    }

    /// <summary>GET …/{id}/participants_v2, every page.</summary>
    public IAsyncEnumerable<GraphPage<CallRecordParticipant>> ParticipantsAsync(string callRecordId, CancellationToken cancellationToken) =>
        _pages.StreamAsync(GraphQuery.ForPath(RecordPath(callRecordId) + "/participants_v2"), e => CallRecordMapper.MapParticipant(e, callRecordId), cancellationToken);

    /// <summary>GET …/{id}/organizer_v2; null when the record has none (404 on the organizer itself).</summary>
    public async Task<CallRecordIdentity?> GetOrganizerAsync(string callRecordId, CancellationToken cancellationToken) =>
        (await GetOrganizerParticipantAsync(callRecordId, cancellationToken).ConfigureAwait(false))?.Identity;

    /// <summary>organizer_v2 as a participant entry (its id and identity); null when the record has none.</summary>
    /// <remarks>Read as the record with the organizer expanded (GET …/{id}?$select=id&amp;$expand=organizer_v2), one
    /// request like GET …/{id}/organizer_v2, but its 404 can only mean the record is missing: a record without an
    /// organizer answers 200 without one. A 404 of …/organizer_v2 would say "no organizer" and "no such record" alike,
    /// and a missing record must be an error, never an empty answer.</remarks>
    public Task<CallRecordParticipant?> GetOrganizerParticipantAsync(string callRecordId, CancellationToken cancellationToken) =>
        _pages.GetAsync(GraphQuery.ForPath(RecordPath(callRecordId)).WithSelect(new[] { "id" }).WithExpand(OrganizerExpand),
            root => root.Prop("organizer_v2") is { ValueKind: JsonValueKind.Object } organizer ? CallRecordMapper.MapParticipant(organizer, callRecordId) : null,
            cancellationToken);

    private async IAsyncEnumerable<GraphPage<CallRecordSession>> SessionPagesAsync(GraphQuery query, string callRecordId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in _pages.StreamAsync(query, e => new SessionWithLink(CallRecordMapper.MapSession(e, callRecordId), Link(e, "segments@odata.nextLink")), cancellationToken).ConfigureAwait(false))
        {
            var sessions = page.Items.Select(s => s.Session).ToList();
            await CompleteSegmentsAsync(sessions, page.Items.Where(s => s.SegmentsNext is not null).ToDictionary(s => s.Session, s => s.SegmentsNext!), cancellationToken).ConfigureAwait(false);
            yield return new GraphPage<CallRecordSession>(sessions, page.NextLink, page.Count, page.Number);
        }
    }

    private async Task CompleteSegmentsAsync(IEnumerable<CallRecordSession> sessions, IReadOnlyDictionary<CallRecordSession, Uri> links, CancellationToken cancellationToken)
    {
        foreach (var session in sessions)
        {
            if (!links.TryGetValue(session, out var link)) continue;
            var all = new List<CallRecordSegment>(session.Segments ?? (IEnumerable<CallRecordSegment>)Array.Empty<CallRecordSegment>());
            await foreach (var page in _pages.StreamAsync(GraphQuery.ForUrl(link), e => CallRecordMapper.MapSegment(e, session.CallRecordId, session.Id), cancellationToken).ConfigureAwait(false))
                all.AddRange(page.Items);
            session.Segments = new ModelList<CallRecordSegment>(all);
        }
    }

    /// <summary>Inline sessions of an expanded record may carry their own segments nextLink. The mapper keeps every
    /// array element in order, so the n-th JSON session is the n-th mapped one.</summary>
    private static Dictionary<CallRecordSession, Uri> InlineSegmentLinks(JsonElement root, CallRecord record)
    {
        var links = new Dictionary<CallRecordSession, Uri>();
        if (record.Sessions is not { } mapped || root.Prop("sessions") is not { ValueKind: JsonValueKind.Array } array) return links;
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (index < mapped.Count && Link(element, "segments@odata.nextLink") is { } link) links[mapped[index]] = link;
            index++;
        }
        return links;
    }

    /// <summary>A nextLink property; absent gives null, present but not an absolute URL is a malformed body.</summary>
    private static Uri? Link(JsonElement e, string name)
    {
        if (e.Str(name) is not { } text) return null;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new JsonException($"Graph returned a {name} that is not an absolute URL.");
    }

    private sealed class SessionWithLink
    {
        public SessionWithLink(CallRecordSession session, Uri? segmentsNext)
        {
            Session = session;
            SegmentsNext = segmentsNext;
        }

        public CallRecordSession Session { get; }
        public Uri? SegmentsNext { get; }
    }
}
