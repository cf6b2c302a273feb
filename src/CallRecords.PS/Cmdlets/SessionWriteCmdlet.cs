using System;
using System.Collections.Specialized;
using System.Management.Automation;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Parameters;

namespace CallRecords.Cmdlets;

/// <summary>
/// Base of the cmdlets that write a session or a segment (Add-/Set-CallRecordSession, Add-CallRecordSegment): the
/// call record they write under, the endpoints, times and failure info both levels have, and -PassThru.
/// </summary>
public abstract class SessionWriteCmdlet : CallRecordBodyWriteCmdlet
{
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
    public DateTimeOffset? StartDateTime { get; set; }

    [Parameter(ParameterSetName = ParametersSet)]
    public DateTimeOffset? EndDateTime { get; set; }

    /// <summary>failureInfo: @{ stage = 'media'; reason = '…' }.</summary>
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    public object? FailureInfo { get; set; }

    /// <summary>Write the created (or, for Set-CallRecordSession, the updated) object to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The properties shared by sessions and segments that were given, plus <paramref name="modalities"/>
    /// (sessions only).</summary>
    internal OrderedDictionary SharedProperties(string[]? modalities) =>
        SessionProperties(modalities, StartDateTime, EndDateTime, Caller, Callee, FailureInfo);

    /// <summary>The session properties that were given, in Graph's names.</summary>
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
