using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecord: lists call records by start time / participant (streamed page by page), or gets records by id
/// with their sessions and participants.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecord", DefaultParameterSetName = ListSet, SupportsPaging = true)]
[OutputType(typeof(CallRecord))]
public sealed class GetCallRecordCommand : CallRecordCmdlet
{
    private const string ListSet = "List";
    private const string ByIdSet = "ById";
    /// <summary>Write-Progress activity id of the listing (distinct from other cmdlets' so nested bars do not merge).</summary>
    private const int ProgressActivityId = ProgressReporterIds.List;
    /// <summary>Graph keeps call records for 30 days.</summary>
    internal static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private PagingWindow? _window;
    /// <summary>The ById set: every id (given or piped) read concurrently, written in input order.</summary>
    private PipelineFanOut<string, CallRecord>? _byId;

    /// <summary>Records that started at or after this time (sent to Graph as startDateTime ge …, in UTC).</summary>
    [Parameter(ParameterSetName = ListSet)]
    public DateTimeOffset? StartDateTime { get; set; }

    /// <summary>Records that started before this time (startDateTime lt …, in UTC).</summary>
    [Parameter(ParameterSetName = ListSet)]
    public DateTimeOffset? EndDateTime { get; set; }

    /// <summary>Records with any of these participants (participants_v2 id). Graph takes one id per request; the
    /// results are merged without duplicates.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    public string[]? ParticipantId { get; set; }

    /// <summary>A raw OData $filter, combined with the other filters by "and".</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>Client-side: keep only records of these types (groupCall, peerToPeer, …). Graph cannot filter on it.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallTypeCompleter))]
    [ValidateGraphValue("callType")]
    public string[]? Type { get; set; }

    /// <summary>Client-side: keep only records with any of these modalities (audio, video, screenSharing, …).</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModalityCompleter))]
    [ValidateGraphValue("modality")]
    public string[]? Modality { get; set; }

    /// <summary>Records per page (Prefer: odata.maxpagesize). Without it the module asks for 999 (or what -First
    /// needs); Graph's own default is 60.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, 999)]
    public int? PageSize { get; set; }

    /// <summary>Call record ids. Accepts strings and objects with an Id or CallRecordId property from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CallRecordId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Include sessions with their segments (every page of them). In the list: one GET per record, run
    /// concurrently up to -ThrottleLimit.</summary>
    [Parameter(ParameterSetName = ByIdSet)]
    [Parameter(ParameterSetName = ListSet)]
    public SwitchParameter ExpandSession { get; set; }

    /// <summary>Include participants_v2 (every page of them). In the list: one GET per record, run concurrently.</summary>
    [Parameter(ParameterSetName = ByIdSet)]
    [Parameter(ParameterSetName = ListSet)]
    public SwitchParameter ExpandParticipant { get; set; }

    /// <summary>Records read at the same time (by id, or expanded in the list); never more requests in flight, fewer
    /// while Graph throttles.</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    /// <summary>Properties to return ($select).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordPropertyCompleter))]
    public string[]? Property { get; set; }

    protected override void BeginProcessing()
    {
        if (StartDateTime is { } start && EndDateTime is { } end && end <= start)
            ThrowTerminatingError(TimeRange.EndNotAfterStart(start, end, EndDateTime));
        if (StartDateTime is { } future && TimeRange.IsFuture(future, DateTimeOffset.UtcNow))
            ThrowTerminatingError(TimeRange.StartInFuture(future));
        // A participant filter narrows the list: a bad one must stop the command, never drop out and widen it.
        foreach (var participant in ParticipantId ?? Array.Empty<string>())
            if (GraphId.Problem(participant, GraphIdKind.Participant, out _) is { } problem)
                ThrowTerminatingError(ErrorMapper.ToErrorRecord(GraphId.Refused(participant, GraphIdKind.Participant, problem), participant));
        // An archive (Open-CallRecordArchive) keeps records past Graph's 30 days.
        if (StartDateTime is { } s && s < DateTimeOffset.UtcNow - Retention && (Connection ?? CallRecords.Connection.ConnectionRegistry.Default)?.ArchivePath is null)
            WriteWarning($"-StartDateTime {s.ToUniversalTime():u} is more than 30 days ago; Graph keeps call records for 30 days, so older records are not returned.");
        _window = new PagingWindow(PagingParameters.Skip, PagingParameters.First);
        if (ParameterSetName == ByIdSet)
        {
            _byId = Own(new PipelineFanOut<string, CallRecord>(this, ThrottleLimit, GetOneAsync, "call records read", id => "call record " + id) { Window = _window });
            if (Expansion != RecordExpansion.None)
            {
                // The same bar as the list's expansion.
                _byId.ActivityId = ExpansionProgress.ExpandActivityId;
                _byId.Unit = "call records expanded";
                _byId.Activity = ExpandActivity;
            }
        }
    }

    protected override void EndProcessing() => _byId?.Finish();

    private string ExpandActivity => Expansion switch
    {
        RecordExpansion.Sessions => "Get-CallRecord: reading sessions and segments per call record",
        RecordExpansion.Participants => "Get-CallRecord: reading participants per call record",
        _ => "Get-CallRecord: reading sessions, segments and participants per call record",
    };

    protected override void ProcessRecord()
    {
        // What is written is remembered for -Id tab completion.
        // What is written is remembered for -Id tab completion (Origins.Stamp).
        if (ParameterSetName == ByIdSet) AddIds();
        else if (Expansion == RecordExpansion.None) RunStream<CallRecord>((op, ct) => _window!.Apply(ListAsync(op, ct), ct));
        else RunStream<CallRecord>((op, ct) => ExpandAsync(op, _window!.Apply(ListAsync(op, ct), ct), ct));
    }

    private RecordExpansion Expansion =>
        (ExpandSession ? RecordExpansion.Sessions : RecordExpansion.None) | (ExpandParticipant ? RecordExpansion.Participants : RecordExpansion.None);

    /// <summary>The listed records (after -Skip/-First), each replaced by its expanded GET, concurrently and in
    /// list order. The organizer is not read here: it would double the requests per record.</summary>
    private async IAsyncEnumerable<IReadOnlyList<CallRecord>> ExpandAsync(CmdletOperation op, IAsyncEnumerable<IReadOnlyList<CallRecord>> listed,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var expand = Expansion;
        var limiter = op.UseLimiter(ThrottleLimit);
        // The listing's total is unknown until its last page: the bar counts, it never buffers to learn the total.
        var progress = new ExpansionProgress(ExpansionProgress.ExpandActivityId, ExpandActivity, "call records expanded");
        progress.Observe(op);
        var expanded = OrderedFanOut.RunAsync(Flatten(listed, ct), async (record, t) =>
        {
            try
            {
                var read = await op.Records.GetAsync(record.Id, expand, Property, t, organizer: false).ConfigureAwait(false);
                // The list item carries organizer_v2 inline: the expanded read keeps it, and marks the organizer's entry.
                if (read.Organizer is null && record.Organizer is { } organizer)
                {
                    read.Organizer = organizer;
                    if (read.Participants is { } participants) CallRecords.Models.Mapping.CallRecordMapper.MarkOrganizer(participants, organizer);
                }
                return (record.Id, Record: read);
            }
            catch (GraphRequestException e) when (e.StatusCode == 404)
            {
                // Listed a moment ago, gone now (30-day retention passed mid-run): say so and go on.
                op.WriteError(e, record.Id, "CallRecordNotFound");
                return (record.Id, Record: (CallRecord?)null);
            }
        }, limiter, FanOut.Options, ct);
        try
        {
            await foreach (var (id, record) in expanded.ConfigureAwait(false))
            {
                progress.Item(op, "call record " + id);
                if (record is not null) yield return new[] { record };
            }
        }
        finally
        {
            progress.Complete(op);
        }
    }

    private static async IAsyncEnumerable<CallRecord> Flatten(IAsyncEnumerable<IReadOnlyList<CallRecord>> pages, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var page in pages.WithCancellation(ct).ConfigureAwait(false))
            foreach (var record in page) yield return record;
    }

    /// <summary>The $filter clauses of the list, one filter per request (one per -ParticipantId).</summary>
    internal IReadOnlyList<string?> ListFilters()
    {
        var range = ODataFilter.StartDateTimeRange(StartDateTime, EndDateTime);
        if (ParticipantId is not { Length: > 0 } ids) return new[] { ODataFilter.And(range, Filter) };
        return ids.Distinct(StringComparer.OrdinalIgnoreCase).Select(id => ODataFilter.And(range, ODataFilter.ParticipantId(id), Filter)).ToList();
    }

    private async IAsyncEnumerable<IReadOnlyList<CallRecord>> ListAsync(CmdletOperation op, [EnumeratorCancellation] CancellationToken ct)
    {
        var filters = ListFilters();
        var seen = filters.Count > 1 ? new HashSet<string>(StringComparer.OrdinalIgnoreCase) : null;
        var countReported = !PagingParameters.IncludeTotalCount;
        var progress = new PagingProgress(op, ProgressActivityId, "Get-CallRecord: listing call records");
        try
        {
            for (var i = 0; i < filters.Count; i++)
            {
                var filter = filters[i];
                progress.Window = DescribeWindow(i, filters.Count);
                // Large pages by default; a -First (with -Skip) that needs fewer asks for just those, unless records
                // are filtered or merged client-side (then any page may hold fewer that count).
                var needed = filters.Count == 1 && Type is null && Modality is null && PagingParameters.First != ulong.MaxValue
                    ? PagingParameters.First + Math.Min(PagingParameters.Skip, ulong.MaxValue - PagingParameters.First) : ulong.MaxValue;
                var query = CallRecordReader.ListQuery(filter, Property, PageSize, needed);
                await foreach (var page in op.Records.ListAsync(query, ct).ConfigureAwait(false))
                {
                    if (!countReported)
                    {
                        countReported = true;
                        // Graph sends no @odata.count for call records; an exact count is reported only when it does
                        // and the result is not a merge of several queries or filtered client-side.
                        var exact = page.Count is { } n && seen is null && Type is null && Modality is null;
                        var total = exact ? (ulong)page.Count!.Value : 0UL;
                        op.Post(c => c.WriteObject(c.PagingParameters.NewTotalCount(total, exact ? 1.0 : 0.0)));
                    }
                    var kept = Keep(page.Items, seen);
                    progress.Page(page.Items.Count, kept.Count);
                    yield return kept;
                }
            }
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>The progress bar's current operation: the time range and, with several participants, which one.</summary>
    private string DescribeWindow(int index, int count)
    {
        static string At(DateTimeOffset? t, string none) =>
            t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture) : none;
        var text = $"startDateTime {At(StartDateTime, "(oldest)")} to {At(EndDateTime, "(now)")}";
        if (count > 1 && ParticipantId is not null)
        {
            var ids = ParticipantId.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            text += $", participant {ids[index]} ({index + 1} of {count})";
        }
        return text;
    }

    private IReadOnlyList<CallRecord> Keep(IReadOnlyList<CallRecord> items, HashSet<string>? seen)
    {
        if (seen is null && Type is null && Modality is null) return items;
        var kept = new List<CallRecord>(items.Count);
        foreach (var r in items)
        {
            if (Type is not null && !Type.Any(t => string.Equals(t, r.Type, StringComparison.OrdinalIgnoreCase))) continue;
            if (Modality is not null && !Modality.Any(m => r.Modalities.Contains(m, ignoreCase: true))) continue;
            if (seen is not null && !seen.Add(r.Id)) continue;
            kept.Add(r);
        }
        return kept;
    }

    /// <summary>This ProcessRecord's ids into the fan-out: a refused id is an error for that id, never a request.</summary>
    private void AddIds()
    {
        var ids = new List<string>(Id.Length);
        foreach (var raw in Id)
        {
            if (GraphId.Problem(raw, GraphIdKind.CallRecord, out var id) is { } problem)
                _byId!.AddRefused(ErrorMapper.ToErrorRecord(GraphId.Refused(raw, GraphIdKind.CallRecord, problem), raw));
            else ids.Add(id);
        }
        if (!MyInvocation.ExpectingInput) _byId!.Total = ids.Count;
        foreach (var id in ids) _byId!.Add(id);
    }

    /// <summary>One id, with its expansions in one request (plus nested pages); an id Graph does not know (404) or
    /// refuses (400, 414, …) is a non-terminating error for that id.</summary>
    private async Task<IReadOnlyList<CallRecord>> GetOneAsync(CmdletOperation op, string id, CancellationToken ct)
    {
        try
        {
            return new[] { await op.Records.GetAsync(id, Expansion, Property, ct).ConfigureAwait(false) };
        }
        catch (GraphRequestException e) when (e.IsAboutTheInput)
        {
            op.WriteError(e, id, e.StatusCode == 404 ? "CallRecordNotFound" : "InvalidCallRecordId");
            return Array.Empty<CallRecord>();
        }
    }
}
