using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Runtime;
using CallRecords.Parameters;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordSegment: the segments of call records. A record (or its id) gives every segment of every session; a
/// session its own segments; a segment (or a stream row) itself. Sessions that carry their segments and expanded records
/// cost no request; anything else is read once per record per run.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordSegment", DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(CallRecordSegment))]
public sealed class GetCallRecordSegmentCommand : CallRecordChildCmdlet<CallRecordSegment>
{
    /// <summary>With -CallRecordId: only this session's segments.</summary>
    [Parameter(Position = 1, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.SessionIdCompleter))]
    public string? SessionId { get; set; }

    internal override TargetLevel OutputLevel => TargetLevel.Segment;

    internal override IEnumerable<CallRecordTarget> IdTargets(string callRecordId)
    {
        if (SessionId is null) return new[] { CallRecordTarget.Record(callRecordId) };
        // A refused session id is an error, and nothing is read (never the whole call instead).
        return FanOutWork.Id(this, SessionId, GraphIdKind.Session) is { } sid ? new[] { CallRecordTarget.Session(callRecordId, sid) } : Array.Empty<CallRecordTarget>();
    }

    internal override Task<IReadOnlyList<CallRecordSegment>> ReadAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct) =>
        Levels.OrErrorAsync(op, target, () => Levels.SegmentsAsync(op, target, cache, ct));
}
