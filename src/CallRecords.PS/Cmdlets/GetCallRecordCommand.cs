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
    private const int ProgressActivityId = 0x4352_0001;
    /// <summary>Graph keeps call records for 30 days.</summary>
    internal static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    /// <summary>Clock skew allowed before a -StartDateTime counts as in the future.</summary>
    internal static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>A range that starts in the future can hold no record; said plainly instead of returning nothing.</summary>
    internal static ErrorRecord StartInFuture(DateTimeOffset start) =>
        new(new ArgumentException("StartDateTime is in the future."), "StartDateTimeInFuture", ErrorCategory.InvalidArgument, start)
        {
            ErrorDetails = new ErrorDetails($"-StartDateTime ({start.ToUniversalTime():u}) is in the future (now {DateTimeOffset.UtcNow:u}); no call can have started yet. Give a past time, such as (Get-Date).AddDays(-1)."),
        };

    private PagingWindow? _window;
    /// <summary>The -Expand* bar of the ById set: one across every piped id (each id is its own stream).</summary>
    private ExpansionProgress? _byIdProgress;

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

    /// <summary>Records per page (Prefer: odata.maxpagesize); Graph's default is 60.</summary>
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

    /// <summary>List with -ExpandSession/-ExpandParticipant: records expanded at the same time (never more requests
    /// in flight); fewer while Graph throttles.</summary>
    [Parameter(ParameterSetName = ListSet)]
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
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("EndDateTime must be later than StartDateTime."),
                "EndDateTimeNotAfterStartDateTime", ErrorCategory.InvalidArgument, EndDateTime)
            {
                ErrorDetails = new ErrorDetails($"-EndDateTime ({end.ToUniversalTime():u}) must be later than -StartDateTime ({start.ToUniversalTime():u}).")
            });
        }
        if (StartDateTime is { } future && future > DateTimeOffset.UtcNow + FutureTolerance)
            ThrowTerminatingError(StartInFuture(future));
        // A participant filter narrows the list: a bad one must stop the command, never drop out and widen it.
        foreach (var participant in ParticipantId ?? Array.Empty<string>())
            if (GraphId.Problem(participant, GraphIdKind.Participant, out _) is { } problem)
                ThrowTerminatingError(ErrorMapper.ToErrorRecord(GraphId.Refused(participant, GraphIdKind.Participant, problem), participant));
        // An archive (Open-CallRecordArchive) keeps records past Graph's 30 days.
        if (StartDateTime is { } s && s < DateTimeOffset.UtcNow - Retention && (Connection ?? CallRecords.Connection.ConnectionRegistry.Default)?.ArchivePath is null)
            WriteWarning($"-StartDateTime {s.ToUniversalTime():u} is more than 30 days ago; Graph keeps call records for 30 days, so older records are not returned.");
        _window = new PagingWindow(PagingParameters.Skip, PagingParameters.First);
        if (ParameterSetName == ByIdSet && Expansion != RecordExpansion.None)
            _byIdProgress = new ExpansionProgress(ExpansionProgress.ExpandActivityId, ExpandActivity, "call records expanded");
    }

    protected override void EndProcessing() => _byIdProgress?.Complete(this);

    private string ExpandActivity => Expansion switch
    {
        RecordExpansion.Sessions => "Get-CallRecord: reading sessions and segments per call record",
        RecordExpansion.Participants => "Get-CallRecord: reading participants per call record",
        _ => "Get-CallRecord: reading sessions, segments and participants per call record",
    };

    protected override void ProcessRecord()
    {
        // What is written is remembered for -Id tab completion.
        if (ParameterSetName == ByIdSet) RunStream<CallRecord>((op, ct) => CallRecordIdHistory.Remember(_window!.Apply(ByIdAsync(op, ct), ct), ct));
        else if (Expansion == RecordExpansion.None) RunStream<CallRecord>((op, ct) => CallRecordIdHistory.Remember(_window!.Apply(ListAsync(op, ct), ct), ct));
        else RunStream<CallRecord>((op, ct) => CallRecordIdHistory.Remember(ExpandAsync(op, _window!.Apply(ListAsync(op, ct), ct), ct), ct));
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
                return (record.Id, Record: await op.Records.GetAsync(record.Id, expand, Property, t, organizer: false).ConfigureAwait(false));
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
                var query = CallRecordReader.ListQuery(filter, Property, PageSize);
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

    private async IAsyncEnumerable<IReadOnlyList<CallRecord>> ByIdAsync(CmdletOperation op, [EnumeratorCancellation] CancellationToken ct)
    {
        var expand = Expansion;
        var progress = _byIdProgress;
        if (progress is not null)
        {
            progress.Observe(op);
            // Ids given as a parameter are every id there is; piped ids arrive one ProcessRecord at a time.
            if (!MyInvocation.ExpectingInput) progress.Total = Id.Length;
        }
        foreach (var raw in Id)
        {
            if (GraphId.Problem(raw, GraphIdKind.CallRecord, out var id) is { } problem)
            {
                op.WriteError(GraphId.Refused(raw, GraphIdKind.CallRecord, problem), raw);
                progress?.Item(op, "call record " + GraphId.Show(raw));
                continue;
            }
            var record = await GetOneAsync(op, id, expand, ct).ConfigureAwait(false);
            progress?.Item(op, "call record " + id);
            if (record is not null) yield return new[] { record };
        }
    }

    /// <summary>One id; an id Graph does not know (404) or refuses (400, 414, …) is a non-terminating error for that id.</summary>
    private async Task<CallRecord?> GetOneAsync(CmdletOperation op, string id, RecordExpansion expand, CancellationToken ct)
    {
        try
        {
            return await op.Records.GetAsync(id, expand, Property, ct).ConfigureAwait(false);
        }
        catch (GraphRequestException e) when (e.IsAboutTheInput)
        {
            op.WriteError(e, id, e.StatusCode == 404 ? "CallRecordNotFound" : "InvalidCallRecordId");
            return null;
        }
    }
}
