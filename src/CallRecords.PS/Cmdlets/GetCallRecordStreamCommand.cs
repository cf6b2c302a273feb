using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Runtime;
using CallRecords.Parameters;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordStream: one flat row per media stream per segment, classified Good | Poor | Unclassified by the
/// Call Quality Dashboard thresholds. A record (or its id) gives the streams of the whole call; a session only its
/// own; a segment (or a stream row, or an Import-Csv row of either) only that segment's. Expanded input costs no
/// request; anything else is read once per record per run. Rows come out in input order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordStream", DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(CallRecordStream))]
public sealed class GetCallRecordStreamCommand : CallRecordChildCmdlet<CallRecordStream>
{
    /// <summary>With -CallRecordId: only this session's streams.</summary>
    [Parameter(Position = 1, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.SessionIdCompleter))]
    public string? SessionId { get; set; }

    /// <summary>With -CallRecordId and -SessionId: only this segment's streams.</summary>
    [Parameter(Position = 2, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string? SegmentId { get; set; }

    /// <summary>Only streams classified Poor.</summary>
    [Parameter]
    public SwitchParameter PoorOnly { get; set; }

    internal override TargetLevel OutputLevel => TargetLevel.Segment;

    internal override void Validate()
    {
        if (SegmentId is not null)
        {
            if (SessionId is null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-SegmentId needs -SessionId."), "SegmentIdWithoutSessionId", ErrorCategory.InvalidArgument, SegmentId)
                {
                    ErrorDetails = new ErrorDetails("-SegmentId names a segment of one session: give -SessionId as well (Get-CallRecordSegment -CallRecordId <id> shows both)."),
                });
        }
    }

    internal override IEnumerable<CallRecordTarget> IdTargets(string callRecordId)
    {
        if (SessionId is null) return new[] { CallRecordTarget.Record(callRecordId) };
        // A refused id is an error, and nothing is read (never the whole call or session instead).
        if (FanOutWork.Id(this, SessionId, GraphIdKind.Session) is not { } session) return Array.Empty<CallRecordTarget>();
        if (SegmentId is null) return new[] { CallRecordTarget.Session(callRecordId, session) };
        return FanOutWork.Id(this, SegmentId, GraphIdKind.Segment) is { } segment ? new[] { CallRecordTarget.Segment(callRecordId, session, segment) } : Array.Empty<CallRecordTarget>();
    }

    internal override Task<IReadOnlyList<CallRecordStream>> ReadAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct) =>
        Levels.OrErrorAsync(op, target, async () =>
        {
            var rows = await Levels.StreamsAsync(op, target, cache, ct).ConfigureAwait(false);
            return PoorOnly ? rows.Where(r => r.Quality == StreamQuality.Poor).ToList() : rows;
        });
}
