using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordSegment: the segments of sessions (GET …/sessions/{id}/segments). Sessions from the pipeline that
/// already carry their segments (Get-CallRecordSession -ExpandSegment) cost no request; other sessions are read
/// concurrently (-ThrottleLimit), output in input order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordSegment", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(CallRecordSegment))]
public sealed class GetCallRecordSegmentCommand : CallRecordCmdlet
{
    private const string ByIdSet = "ById";
    private const string SessionSet = "Session";
    private PipelineFanOut<(string CallRecordId, string SessionId, CallRecordSession? Session), CallRecordSegment>? _fanOut;

    /// <summary>The call record of the session; binds from a CallRecordId property.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string CallRecordId { get; set; } = string.Empty;

    /// <summary>The session; binds from a SessionId property.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SessionId { get; set; } = string.Empty;

    /// <summary>A session from Get-CallRecordSession (or a record's Sessions). A scalar in the default set, so a piped session binds
    /// here (exact type) rather than by its CallRecordId/SessionId properties.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public CallRecordSession Session { get; set; } = null!;

    /// <summary>Sessions read at the same time.</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    protected override void BeginProcessing() =>
        _fanOut = Own(new PipelineFanOut<(string, string, CallRecordSession?), CallRecordSegment>(this, ThrottleLimit, ReadAsync,
            "sessions read", s => $"session {s.Item2} of call record {s.Item1}"));

    protected override void ProcessRecord()
    {
        if (ParameterSetName == SessionSet)
        {
            if (FanOutWork.Id(this, Session.CallRecordId, GraphIdKind.CallRecord) is { } recordOfSession && FanOutWork.Id(this, Session.Id, GraphIdKind.Session) is { } sessionId)
                _fanOut!.Add((recordOfSession, sessionId, Session));
            return;
        }
        if (FanOutWork.Id(this, CallRecordId, GraphIdKind.CallRecord) is { } record && FanOutWork.Id(this, SessionId, GraphIdKind.Session) is { } session)
            _fanOut!.Add((record, session, null));
    }

    protected override void EndProcessing() => _fanOut!.Finish();

    private static Task<IReadOnlyList<CallRecordSegment>> ReadAsync(CmdletOperation op, (string CallRecordId, string SessionId, CallRecordSession? Session) input, CancellationToken ct)
    {
        if (input.Session?.Segments is { } known) return Task.FromResult<IReadOnlyList<CallRecordSegment>>(known);
        return FanOutWork.OrErrorAsync(op, input.SessionId, "SessionNotFound", () => FanOutWork.SegmentsAsync(op, input.CallRecordId, input.SessionId, ct));
    }
}
