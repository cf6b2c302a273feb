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
/// New-CallRecord: POST /communications/callRecords. Microsoft Graph refuses it; the emulator accepts it, which is
/// how tests seed their own records. Returns the created record.
/// </summary>
[Cmdlet(VerbsCommon.New, "CallRecord", DefaultParameterSetName = ParametersSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CallRecord))]
public sealed class NewCallRecordCommand : CallRecordBodyWriteCmdlet
{
    /// <summary>groupCall, peerToPeer or unknown (microsoft.graph.callRecords.callType).</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallTypeCompleter))]
    [ValidateGraphValue("callType")]
    public string? Type { get; set; }

    /// <summary>audio, video, videoBasedScreenSharing, data, screenSharing.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(ModalityCompleter))]
    [ValidateGraphValue("modality")]
    public string[]? Modalities { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ParametersSet)]
    public DateTimeOffset StartDateTime { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ParametersSet)]
    public DateTimeOffset EndDateTime { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNullOrEmpty]
    public string? JoinWebUrl { get; set; }

    /// <summary>organizer_v2: a user's object id, or a hashtable with id and identity.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? Organizer { get; set; }

    /// <summary>participants_v2: user object ids and/or hashtables with id and identity.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object[]? Participants { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateRange(1L, long.MaxValue)]
    public long? Version { get; set; }

    /// <summary>The record's id; Graph (the emulator) picks a GUID when omitted.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    protected override void ProcessRecord()
    {
        if (Id is not null)
        {
            if (!CheckId(Id, GraphIdKind.CallRecord, out var checkedId)) return;
            Id = checkedId;
        }
        var target = ParameterSetName == BodySet
            ? "a new call record from -BodyParameter"
            : $"a new {Type ?? "call"} record{(Id is null ? "" : $" '{Id}'")} starting {StartDateTime.ToUniversalTime():u}";
        if (!TryBuildBody(BuildBody, target, out var body)) return;
        if (!ShouldProcess(target, "Create call record")) return;
        RunWrite<CallRecord>(target, "CallRecord", async (op, ct) => await op.Writer.CreateCallRecordAsync(body, ct).ConfigureAwait(false), emit: true);
    }

    internal override OrderedDictionary Properties()
    {
        var o = new OrderedDictionary(StringComparer.Ordinal);
        if (Id is not null) o["id"] = Id;
        if (Version is { } version) o["version"] = version;
        if (Type is not null) o["type"] = ValidateGraphValueAttribute.Canonical("callType", Type) ?? Type;
        if (Modalities is not null) o["modalities"] = ValidateGraphValueAttribute.CanonicalAll("modality", Modalities);
        o["startDateTime"] = StartDateTime;
        o["endDateTime"] = EndDateTime;
        if (JoinWebUrl is not null) o["joinWebUrl"] = JoinWebUrl;
        if (Organizer is not null) o["organizer_v2"] = JsonBody.Participant(Organizer, nameof(Organizer));
        if (Participants is not null) o["participants_v2"] = Participants.Select(p => JsonBody.Participant(p, nameof(Participants))).ToArray();
        return o;
    }
}
