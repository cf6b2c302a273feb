using System;
using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Add-CallRecordSegment: POST /communications/callRecords/{id}/sessions/{sessionId}/segments (emulator only;
/// Graph refuses writes). A session object piped in binds by its CallRecordId and SessionId. -PassThru returns the
/// created segment.
/// </summary>
[Cmdlet(VerbsCommon.Add, "CallRecordSegment", DefaultParameterSetName = ParametersSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CallRecordSegment))]
public sealed class AddCallRecordSegmentCommand : SessionWriteCmdlet
{
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SessionId { get; set; } = string.Empty;

    /// <summary>media entries: @{ label = 'main-audio'; streams = @( @{ streamDirection = 'callerToCallee'; averageJitter = [timespan]'0:0:0.016' } ) }.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object[]? Media { get; set; }

    protected override void ProcessRecord()
    {
        if (!CheckId(CallRecordId, GraphIdKind.CallRecord, out var recordId) || !CheckId(SessionId, GraphIdKind.Session, out var sessionId)) return;
        var target = SessionTarget(recordId, sessionId);
        if (!TryBuildBody(BuildBody, target, out var body)) return;
        if (!ShouldProcess(target, "Add segment")) return;
        RunWrite<CallRecordSegment>(target, "CallRecordSegment", async (op, ct) => await op.Writer.AddSegmentAsync(recordId, sessionId, body, ct).ConfigureAwait(false), PassThru);
    }

    internal override OrderedDictionary Properties()
    {
        var o = SharedProperties(null);
        if (Media is not null)
            o["media"] = Media.Select(m => (object)(JsonBody.ToOrdered(m) ?? throw new ArgumentException("Each -Media entry must be a hashtable such as @{ label = 'main-audio'; streams = @(…) }."))).ToArray();
        return o;
    }
}
