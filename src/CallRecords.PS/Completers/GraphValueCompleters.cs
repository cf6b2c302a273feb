using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace CallRecords.Completers;

/// <summary>
/// -Modality: the members of Graph's microsoft.graph.callRecords.modality enum (CSDL v1.0). unknownFutureValue is
/// Graph's evolvable-enum sentinel, never a value a record carries, so it is not offered.
/// </summary>
public sealed class ModalityCompleter : IArgumentCompleter
{
    internal static readonly KeyValuePair<string, string>[] Values =
    {
        new("audio", "audio: the call carried audio"),
        new("video", "video: the call carried camera video"),
        new("videoBasedScreenSharing", "videoBasedScreenSharing: screen sharing sent as a video stream"),
        new("data", "data: the call carried data (for example file transfer or whiteboard)"),
        new("screenSharing", "screenSharing: application or desktop sharing"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => CompletionText.FromValues(Values, wordToComplete);
}

/// <summary>-Type: the members of Graph's microsoft.graph.callRecords.callType enum (CSDL v1.0), sentinel excluded.</summary>
public sealed class CallTypeCompleter : IArgumentCompleter
{
    internal static readonly KeyValuePair<string, string>[] Values =
    {
        new("groupCall", "groupCall: a meeting or a call with more than two endpoints"),
        new("peerToPeer", "peerToPeer: a call between two endpoints"),
        new("unknown", "unknown: Graph could not determine the call type"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => CompletionText.FromValues(Values, wordToComplete);
}

/// <summary>
/// -Property ($select): the structural properties of microsoft.graph.callRecords.callRecord (CSDL v1.0). The v1
/// organizer and participants properties are left out: Graph stopped filling them in favour of organizer_v2 and
/// participants_v2, which are navigation properties (-ExpandParticipant), not $select-able values.
/// </summary>
public sealed class CallRecordPropertyCompleter : IArgumentCompleter
{
    internal static readonly KeyValuePair<string, string>[] Values =
    {
        new("id", "id (String): the call record id"),
        new("version", "version (Int64): increases each time the record is updated"),
        new("type", "type (callType): groupCall, peerToPeer or unknown"),
        new("modalities", "modalities (Collection(modality)): audio, video, screenSharing …"),
        new("startDateTime", "startDateTime (DateTimeOffset): when the first participant joined, UTC"),
        new("endDateTime", "endDateTime (DateTimeOffset): when the last participant left, UTC"),
        new("lastModifiedDateTime", "lastModifiedDateTime (DateTimeOffset): when the record was last updated, UTC"),
        new("joinWebUrl", "joinWebUrl (String): the meeting's join URL, for scheduled meetings"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => CompletionText.FromValues(Values, wordToComplete);
}

/// <summary>
/// -Environment of Connect-CallRecordGraph: the Microsoft Graph national clouds that serve call records, each with
/// its Graph endpoint in the tooltip.
/// </summary>
public sealed class EnvironmentCompleter : IArgumentCompleter
{
    internal static readonly KeyValuePair<string, string>[] Values =
    {
        new("Global", "Global: https://graph.microsoft.com (worldwide and GCC)"),
        new("USGov", "USGov: https://graph.microsoft.us (GCC High)"),
        new("USGovDoD", "USGovDoD: https://dod-graph.microsoft.us (DoD)"),
        new("China", "China: https://microsoftgraph.chinacloudapi.cn (operated by 21Vianet)"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => CompletionText.FromValues(Values, wordToComplete);
}

/// <summary>
/// Accepts only the members of a Graph enum (the completer's list, so the values are written once), whatever their
/// case, for parameters whose value Graph would never match: Get-CallRecord -Type banana or -Modality smell would read
/// every page and return nothing. A refused value is a parameter validation error that lists the members.
/// </summary>
[System.AttributeUsage(System.AttributeTargets.Property | System.AttributeTargets.Field)]
public sealed class ValidateGraphValueAttribute : ValidateEnumeratedArgumentsAttribute
{
    private readonly string _enumName;

    /// <param name="enumName">modality or callType (microsoft.graph.callRecords).</param>
    public ValidateGraphValueAttribute(string enumName) => _enumName = enumName;

    internal static KeyValuePair<string, string>[] ValuesOf(string enumName) => enumName switch
    {
        "modality" => ModalityCompleter.Values,
        "callType" => CallTypeCompleter.Values,
        _ => throw new System.ArgumentOutOfRangeException(nameof(enumName), enumName, "Unknown Graph enum."),
    };

    /// <summary>The member as Graph spells it ("AUDIO" → "audio"), or null when it is none.</summary>
    internal static string? Canonical(string enumName, string? value)
    {
        foreach (var v in ValuesOf(enumName))
            if (string.Equals(v.Key, value?.Trim(), System.StringComparison.OrdinalIgnoreCase)) return v.Key;
        return null;
    }

    /// <summary>Each value as Graph spells it (the parameter was validated, so every one is a member).</summary>
    internal static string[]? CanonicalAll(string enumName, string[]? values) =>
        values is null ? null : System.Array.ConvertAll(values, v => Canonical(enumName, v) ?? v);

    protected override void ValidateElement(object element)
    {
        var text = element is PSObject pso ? pso.BaseObject?.ToString() : element?.ToString();
        if (Canonical(_enumName, text) is not null) return;
        var members = string.Join(", ", System.Linq.Enumerable.Select(ValuesOf(_enumName), v => v.Key));
        throw new ValidationMetadataException($"'{text}' is not a {_enumName} value Graph knows; use one of: {members}.");
    }
}
