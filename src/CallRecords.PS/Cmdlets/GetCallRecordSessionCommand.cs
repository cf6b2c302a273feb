using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordSession: the sessions of call records (GET …/callRecords/{id}/sessions, every page of 60), or
/// given sessions by id. Call records from the pipeline bind by their CallRecordId property; several records are
/// read concurrently (-ThrottleLimit) and their sessions come out in input order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordSession")]
[OutputType(typeof(CallRecordSession))]
public sealed class GetCallRecordSessionCommand : CallRecordCmdlet
{
    private PipelineFanOut<string, CallRecordSession>? _fanOut;
    /// <summary>-Id after the id check; null without -Id. Empty when every given id was refused: then no session is
    /// read (never "all sessions" because the ids asked for were bad).</summary>
    private string[]? _sessionIds;

    /// <summary>The call record whose sessions to read. Binds from the CallRecordId property of piped objects
    /// (call records, sessions, streams) or from strings.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string CallRecordId { get; set; } = string.Empty;

    /// <summary>Only these sessions (ids), one GET each. Not bound from the pipeline: a call record's Id is not a
    /// session id.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Include each session's segments (media and streams).</summary>
    [Parameter]
    public SwitchParameter ExpandSegment { get; set; }

    /// <summary>Call records read at the same time.</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    protected override void BeginProcessing()
    {
        if (Id is not null)
        {
            var ok = new List<string>(Id.Length);
            foreach (var raw in Id)
                if (FanOutWork.Id(this, raw, GraphIdKind.Session) is { } sid) ok.Add(sid);
            _sessionIds = ok.ToArray();
        }
        _fanOut = Own(new PipelineFanOut<string, CallRecordSession>(this, ThrottleLimit, ReadAsync, "call records read", id => "call record " + id));
    }

    protected override void ProcessRecord()
    {
        if (FanOutWork.Id(this, CallRecordId, GraphIdKind.CallRecord) is { } id) _fanOut!.Add(id);
    }

    protected override void EndProcessing() => _fanOut!.Finish();

    private Task<IReadOnlyList<CallRecordSession>> ReadAsync(CmdletOperation op, string callRecordId, CancellationToken ct)
    {
        var expand = ExpandSegment.IsPresent;
        if (_sessionIds is not { } sessionIds)
            return FanOutWork.OrErrorAsync(op, callRecordId, "CallRecordNotFound", () => FanOutWork.SessionsAsync(op, callRecordId, expand, ct));
        return ByIdAsync(op, callRecordId, sessionIds, expand, ct);
    }

    private static async Task<IReadOnlyList<CallRecordSession>> ByIdAsync(CmdletOperation op, string callRecordId, string[] sessionIds, bool expand, CancellationToken ct)
    {
        var found = new List<CallRecordSession>();
        foreach (var sid in sessionIds)
        {
            var one = await FanOutWork.OrErrorAsync<CallRecordSession>(op, sid!, "SessionNotFound",
                async () => new[] { await op.Records.GetSessionAsync(callRecordId, sid!, expand, ct).ConfigureAwait(false) }).ConfigureAwait(false);
            found.AddRange(one);
        }
        return found;
    }
}
