using System;

namespace CallRecords.Models;

/// <summary>A session of a call record (microsoft.graph.callRecords.session).</summary>
public sealed class CallRecordSession
{
    /// <summary>The connection this object was read through (not shown): cmdlets it is piped to read the same tenant.</summary>
    internal CallRecords.Connection.CallRecordConnection? Origin { get; set; }

    public string CallRecordId { get; set; } = string.Empty;
    public string Id { get; set; } = string.Empty;
    public ValueList Modalities { get; set; } = ValueList.Empty;
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
    public TimeSpan? Duration { get; set; }
    public bool? IsTest { get; set; }
    public CallRecordEndpoint? Caller { get; set; }
    public CallRecordEndpoint? Callee { get; set; }
    public string? CallerName => Caller?.ToString() is { Length: > 0 } s ? s : null;
    public string? CalleeName => Callee?.ToString() is { Length: > 0 } s ? s : null;
    public CallRecordFailureInfo? FailureInfo { get; set; }
    /// <summary>Segments when they were expanded, else null.</summary>
    public ModelList<CallRecordSegment>? Segments { get; set; }

    /// <summary>The id under the name Get-CallRecordSegment binds by property name.</summary>
    public string SessionId => Id;

    /// <summary>The same session without its segments (what Get-CallRecordSession writes without -ExpandSegment).</summary>
    internal CallRecordSession WithoutSegments()
    {
        var copy = (CallRecordSession)MemberwiseClone();
        copy.Segments = null;
        return copy;
    }

    public override string ToString() => Id;
}

/// <summary>A segment of a session (microsoft.graph.callRecords.segment), with its media kept typed.</summary>
public sealed class CallRecordSegment
{
    /// <summary>The connection this object was read through (not shown): cmdlets it is piped to read the same tenant.</summary>
    internal CallRecords.Connection.CallRecordConnection? Origin { get; set; }

    public string CallRecordId { get; set; } = string.Empty;
    public string SessionId { get; set; } = string.Empty;
    public string Id { get; set; } = string.Empty;
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
    public TimeSpan? Duration { get; set; }
    public CallRecordEndpoint? Caller { get; set; }
    public CallRecordEndpoint? Callee { get; set; }
    public string? CallerName => Caller?.ToString() is { Length: > 0 } s ? s : null;
    public string? CalleeName => Callee?.ToString() is { Length: > 0 } s ? s : null;
    public CallRecordFailureInfo? FailureInfo { get; set; }
    public ModelList<CallRecordMedia> Media { get; set; } = ModelList<CallRecordMedia>.Empty;

    public override string ToString() => Id;
}

/// <summary>failureInfo: where and why a session or segment failed.</summary>
public sealed class CallRecordFailureInfo
{
    /// <summary>signaling, media, unknown, or a newer value.</summary>
    public string? Stage { get; set; }
    public string? Reason { get; set; }

    public override string ToString() => Reason is null ? Stage ?? string.Empty : $"{Stage}: {Reason}";
}

/// <summary>
/// An endpoint (participantEndpoint or serviceEndpoint). Kind is "participant" or "service" (from @odata.type when
/// present, else inferred: an identity means a participant).
/// </summary>
public sealed class CallRecordEndpoint
{
    public string? Kind { get; set; }
    public string? Name { get; set; }
    public CallRecordIdentity? Identity { get; set; }
    public CallRecordIdentity? AssociatedIdentity { get; set; }
    public CallRecordUserAgent? UserAgent { get; set; }
    public CallRecordFeedback? Feedback { get; set; }
    public string? CpuName { get; set; }
    public int? CpuCoresCount { get; set; }
    public int? CpuProcessorSpeedInMhz { get; set; }

    public override string ToString() =>
        Identity?.ToString() is { Length: > 0 } s ? s : Name ?? UserAgent?.ToString() ?? Kind ?? string.Empty;
}

/// <summary>clientUserAgent or serviceUserAgent.</summary>
public sealed class CallRecordUserAgent
{
    /// <summary>"client" or "service".</summary>
    public string? Kind { get; set; }
    public string? HeaderValue { get; set; }
    public string? ApplicationVersion { get; set; }
    public string? Platform { get; set; }
    public string? ProductFamily { get; set; }
    public string? AzureADAppId { get; set; }
    public string? CommunicationServiceId { get; set; }
    /// <summary>serviceUserAgent.role (conferencingServer, mediaController, …).</summary>
    public string? Role { get; set; }

    public override string ToString() => ProductFamily ?? Role ?? HeaderValue ?? string.Empty;
}

/// <summary>userFeedback: the rating a user gave after the call.</summary>
public sealed class CallRecordFeedback
{
    public string? Rating { get; set; }
    public string? Text { get; set; }
    /// <summary>feedbackTokenSet entries that were true (NoSound, Echo, …), joined "Echo;Noisy" as text.</summary>
    public ValueList Tokens { get; set; } = ValueList.Empty;

    public override string ToString() => Rating ?? string.Empty;
}
