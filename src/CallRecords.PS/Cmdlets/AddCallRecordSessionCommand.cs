using System;
using System.Collections.Specialized;
using System.Management.Automation;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Add-CallRecordSession: POST /communications/callRecords/{id}/sessions (emulator only; Graph refuses writes).
/// -PassThru returns the created session.
/// </summary>
[Cmdlet(VerbsCommon.Add, "CallRecordSession", DefaultParameterSetName = ParametersSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CallRecordSession))]
public sealed class AddCallRecordSessionCommand : CallRecordWriteCmdlet
{
    internal const string ParametersSet = "Parameters";
    internal const string BodySet = "BodyParameter";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string CallRecordId { get; set; } = string.Empty;

    /// <summary>The calling endpoint: a user's object id, or a hashtable (participantEndpoint / serviceEndpoint).</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? Caller { get; set; }

    /// <summary>The receiving endpoint: a user's object id, or a hashtable.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? Callee { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(ModalityCompleter))]
    [ValidateGraphValue("modality")]
    public string[]? Modalities { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    public DateTimeOffset? StartDateTime { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    public DateTimeOffset? EndDateTime { get; set; }

    /// <summary>failureInfo: @{ stage = 'media'; reason = '…' }.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? FailureInfo { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = BodySet)]
    [ValidateNotNull]
    public object? BodyParameter { get; set; }

    /// <summary>Write the created session to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!CheckId(CallRecordId, GraphIdKind.CallRecord, out var id)) return;
        var target = $"call record '{id}'";
        if (!TryBuildBody(BuildBody, target, out var body)) return;
        if (!ShouldProcess(target, "Add session")) return;
        RunWrite<CallRecordSession>(target, "CallRecordSession", async (op, ct) => await op.Writer.AddSessionAsync(id, body, ct).ConfigureAwait(false), PassThru);
    }

    internal byte[] BuildBody()
    {
        if (ParameterSetName == BodySet) return JsonBody.SerializeObject(BodyParameter, nameof(BodyParameter));
        return JsonBody.Serialize(SessionProperties(Modalities, StartDateTime, EndDateTime, Caller, Callee, FailureInfo));
    }

    /// <summary>The session properties that were given, in Graph's names (shared with Set-CallRecordSession).</summary>
    internal static OrderedDictionary SessionProperties(string[]? modalities, DateTimeOffset? start, DateTimeOffset? end, object? caller, object? callee, object? failureInfo)
    {
        var o = new OrderedDictionary(StringComparer.Ordinal);
        if (modalities is not null) o["modalities"] = ValidateGraphValueAttribute.CanonicalAll("modality", modalities);
        if (start is { } s) o["startDateTime"] = s;
        if (end is { } e) o["endDateTime"] = e;
        if (caller is not null) o["caller"] = JsonBody.Endpoint(caller, "Caller");
        if (callee is not null) o["callee"] = JsonBody.Endpoint(callee, "Callee");
        if (failureInfo is not null) o["failureInfo"] = JsonBody.ToOrdered(failureInfo) ?? throw new ArgumentException("-FailureInfo must be a hashtable such as @{ stage = 'media'; reason = '…' }.");
        return o;
    }
}
