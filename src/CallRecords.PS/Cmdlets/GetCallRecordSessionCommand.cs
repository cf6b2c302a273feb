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
    private List<string>? _sessionIds;

    /// <summary>Only these sessions of each record.</summary>
    [Parameter(Position = 1)]
    [Alias("SessionId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Include each session's segments (media and streams).</summary>
    [Parameter]
    public SwitchParameter ExpandSegment { get; set; }

    internal override TargetLevel OutputLevel => TargetLevel.Session;

    internal override void Validate()
    {
        if (Id is null) return;
        // Every id refused: no session is read (never "all sessions" because the ids asked for were bad).
        _sessionIds = new List<string>();
        foreach (var raw in Id)
            if (FanOutWork.Id(this, raw, GraphIdKind.Session) is { } sid && !_sessionIds.Contains(sid, StringComparer.OrdinalIgnoreCase)) _sessionIds.Add(sid);
    }

    internal override Task<IReadOnlyList<CallRecordSession>> ReadAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct) =>
        _sessionIds is { Count: 0 } ? Task.FromResult<IReadOnlyList<CallRecordSession>>(Array.Empty<CallRecordSession>()) : Levels.OrErrorAsync(op, target, async () =>
        {
            IEnumerable<CallRecordSession> sessions = await Levels.SessionsAsync(op, target, cache, ct).ConfigureAwait(false);
            if (_sessionIds is { } wanted)
            {
                // In the order asked for.
                var list = wanted.Select(w => sessions.FirstOrDefault(s => string.Equals(s.Id, w, StringComparison.OrdinalIgnoreCase))).Where(s => s is not null).Select(s => s!).ToList();
                // An id asked for that the record does not have is said, never skipped silently.
                if (target.Level == TargetLevel.Record)
                    foreach (var missing in wanted.Where(w => !list.Any(s => string.Equals(s.Id, w, StringComparison.OrdinalIgnoreCase))))
                        op.WriteError(new CallRecordsException("SessionNotFound", ErrorCategory.ObjectNotFound,
                            $"Session '{missing}' was not found in call record {target.CallRecordId}.", "Get-CallRecordSession -CallRecordId <id> lists its sessions."), missing);
                sessions = list;
            }
            return (IReadOnlyList<CallRecordSession>)(ExpandSegment ? sessions.ToList() : sessions.Select(s => s.Segments is null ? s : s.WithoutSegments()).ToList());
        });
}
