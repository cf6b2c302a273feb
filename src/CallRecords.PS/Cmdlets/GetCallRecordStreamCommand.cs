using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Models.Mapping;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordStream: one flat row per media stream per segment, classified Good | Poor | Unclassified by the
/// Call Quality Dashboard thresholds. Input: call records (expanded ones cost no request; others are read with
/// GET …/{id}/sessions?$expand=segments), sessions (their segments, read when not expanded), or call record ids.
/// Items are read concurrently up to -ThrottleLimit; rows come out in input order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordStream", DefaultParameterSetName = RecordSet)]
[OutputType(typeof(CallRecordStream))]
public sealed class GetCallRecordStreamCommand : CallRecordCmdlet
{
    private const string ByIdSet = "ById";
    private const string RecordSet = "CallRecord";
    private const string SessionSet = "Session";
    private PipelineFanOut<Input, CallRecordStream>? _fanOut;

    /// <summary>Call record ids; binds from a CallRecordId property.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string[] CallRecordId { get; set; } = Array.Empty<string>();

    // Piped objects bind as scalars in the default set: PowerShell tries the default parameter set first, and there an
    // exact type match wins, so a record or session is not reduced to its CallRecordId property.

    /// <summary>A call record from Get-CallRecord (expanded or not).</summary>
    [Parameter(Mandatory = true, ParameterSetName = RecordSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public CallRecord CallRecord { get; set; } = null!;

    /// <summary>A session from Get-CallRecordSession (with or without segments).</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public CallRecordSession Session { get; set; } = null!;

    /// <summary>Only streams classified Poor.</summary>
    [Parameter]
    public SwitchParameter PoorOnly { get; set; }

    /// <summary>Call records (or sessions) read at the same time.</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    protected override void BeginProcessing() =>
        _fanOut = Own(new PipelineFanOut<Input, CallRecordStream>(this, ThrottleLimit, ReadAsync,
            ParameterSetName == SessionSet ? "sessions read" : "call records read",
            i => i.SessionId is { } sid ? $"session {sid} of call record {i.CallRecordId}" : "call record " + i.CallRecordId));

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case RecordSet:
                if (FanOutWork.Id(this, CallRecord.Id, GraphIdKind.CallRecord) is { } recordId) _fanOut!.Add(new Input(recordId, null, CallRecord.Sessions, null));
                break;
            case SessionSet:
                if (FanOutWork.Id(this, Session.CallRecordId, GraphIdKind.CallRecord) is { } ofSession && FanOutWork.Id(this, Session.Id, GraphIdKind.Session) is { } sessionId)
                    _fanOut!.Add(new Input(ofSession, sessionId, null, Session.Segments));
                break;
            default:
                var ids = new List<string>(CallRecordId.Length);
                foreach (var raw in CallRecordId)
                    if (FanOutWork.Id(this, raw, GraphIdKind.CallRecord) is { } id) ids.Add(id);
                // Ids given as a parameter are every input there is: the bar can show "n of total".
                if (!MyInvocation.ExpectingInput) _fanOut!.Progress.Total = ids.Count;
                foreach (var id in ids) _fanOut!.Add(new Input(id, null, null, null));
                break;
        }
    }

    protected override void EndProcessing() => _fanOut!.Finish();

    private async Task<IReadOnlyList<CallRecordStream>> ReadAsync(CmdletOperation op, Input input, CancellationToken ct)
    {
        IEnumerable<CallRecordStream> rows;
        if (input.SessionId is { } sessionId)
        {
            var segments = input.Segments ?? await FanOutWork.OrErrorAsync(op, sessionId, "SessionNotFound",
                () => FanOutWork.SegmentsAsync(op, input.CallRecordId, sessionId, ct)).ConfigureAwait(false);
            rows = StreamRows.FromSegments(segments);
        }
        else
        {
            var sessions = input.Sessions ?? await FanOutWork.OrErrorAsync(op, input.CallRecordId, "CallRecordNotFound",
                () => FanOutWork.SessionsAsync(op, input.CallRecordId, segments: true, ct)).ConfigureAwait(false);
            rows = StreamRows.FromSessions(sessions);
        }
        return (PoorOnly ? rows.Where(r => r.Quality == StreamQuality.Poor) : rows).ToList();
    }

    private sealed class Input
    {
        public Input(string callRecordId, string? sessionId, IReadOnlyList<CallRecordSession>? sessions, IReadOnlyList<CallRecordSegment>? segments)
        {
            CallRecordId = callRecordId;
            SessionId = sessionId;
            Sessions = sessions;
            Segments = segments;
        }

        public string CallRecordId { get; }
        public string? SessionId { get; }
        public IReadOnlyList<CallRecordSession>? Sessions { get; }
        public IReadOnlyList<CallRecordSegment>? Segments { get; }
    }
}
