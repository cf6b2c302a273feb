using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordSession: the sessions of call records. A record (or its id, or a participant) gives all its sessions;
/// a session gives itself; a segment or stream gives its session, once. Each record is read once per run
/// (GET …/callRecords/{id}?$expand=sessions($expand=segments), every nested page followed); an expanded record
/// (Get-CallRecord -ExpandSession) costs no request.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordSession", DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(CallRecordSession))]
public sealed class GetCallRecordSessionCommand : CallRecordChildCmdlet<CallRecordSession>
{
    /// <summary>-Id after the id check; null without -Id.</summary>
    private HashSet<string>? _sessionIds;

    /// <summary>Only these sessions of each record.</summary>
    [Parameter(Position = 1)]
    [Alias("SessionId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Include each session's segments (media and streams).</summary>
    [Parameter]
    public SwitchParameter ExpandSegment { get; set; }

    internal override TargetLevel OutputLevel => TargetLevel.Session;
    internal override string Unit => "call records read";

    internal override void Validate()
    {
        if (Id is null) return;
        // Every id refused: no session is read (never "all sessions" because the ids asked for were bad).
        _sessionIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in Id)
            if (FanOutWork.Id(this, raw, GraphIdKind.Session) is { } sid) _sessionIds.Add(sid);
    }

    internal override Task<IReadOnlyList<CallRecordSession>> ReadAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct) =>
        Levels.OrErrorAsync(op, target, async () =>
        {
            IEnumerable<CallRecordSession> sessions = await Levels.SessionsAsync(op, target, cache, ct).ConfigureAwait(false);
            if (_sessionIds is { } wanted)
            {
                var list = sessions.Where(s => wanted.Contains(s.Id)).ToList();
                // An id asked for that the record does not have is said, never skipped silently.
                if (target.Level == TargetLevel.Record)
                    foreach (var missing in wanted.Where(w => !list.Any(s => string.Equals(s.Id, w, StringComparison.OrdinalIgnoreCase))))
                        op.WriteError(new CallRecordsException("SessionNotFound", ErrorCategory.ObjectNotFound,
                            $"Call record {target.CallRecordId} has no session {missing}.", "Get-CallRecordSession -CallRecordId <id> lists its sessions."), $"session {missing} of call record {target.CallRecordId}");
                sessions = list;
            }
            return (IReadOnlyList<CallRecordSession>)(ExpandSegment ? sessions.ToList() : sessions.Select(s => s.Segments is null ? s : s.WithoutSegments()).ToList());
        });
}
