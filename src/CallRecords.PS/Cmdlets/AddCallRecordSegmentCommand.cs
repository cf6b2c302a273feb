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
public sealed class AddCallRecordSegmentCommand : CallRecordWriteCmdlet
{
    internal const string ParametersSet = "Parameters";
    internal const string BodySet = "BodyParameter";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string CallRecordId { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SessionId { get; set; } = string.Empty;

    [Parameter(ParameterSetName = ParametersSet)]
    public DateTimeOffset? StartDateTime { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    public DateTimeOffset? EndDateTime { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? Caller { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? Callee { get; set; }

    /// <summary>media entries: @{ label = 'main-audio'; streams = @( @{ streamDirection = 'callerToCallee'; averageJitter = [timespan]'0:0:0.016' } ) }.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object[]? Media { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? FailureInfo { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = BodySet)]
    [ValidateNotNull]
    public object? BodyParameter { get; set; }

    /// <summary>Write the created segment to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!CheckId(CallRecordId, GraphIdKind.CallRecord, out var recordId) || !CheckId(SessionId, GraphIdKind.Session, out var sessionId)) return;
        var target = SessionTarget(recordId, sessionId);
        if (!TryBuildBody(BuildBody, target, out var body)) return;
        if (!ShouldProcess(target, "Add segment")) return;
        RunWrite<CallRecordSegment>(target, "CallRecordSegment", async (op, ct) => await op.Writer.AddSegmentAsync(recordId, sessionId, body, ct).ConfigureAwait(false), PassThru);
    }

    internal byte[] BuildBody()
    {
        if (ParameterSetName == BodySet) return JsonBody.SerializeObject(BodyParameter, nameof(BodyParameter));
        var o = AddCallRecordSessionCommand.SessionProperties(null, StartDateTime, EndDateTime, Caller, Callee, FailureInfo);
        if (Media is not null)
            o["media"] = Media.Select(m => (object)(JsonBody.ToOrdered(m) ?? throw new ArgumentException("Each -Media entry must be a hashtable such as @{ label = 'main-audio'; streams = @(…) }."))).ToArray();
        return JsonBody.Serialize(o);
    }
}
