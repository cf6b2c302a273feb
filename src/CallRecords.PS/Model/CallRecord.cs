using System;

namespace CallRecords.Models;

/// <summary>A Teams call record (microsoft.graph.callRecords.callRecord).</summary>
public sealed class CallRecord
{
    /// <summary>The connection this object was read through (not shown): cmdlets it is piped to read the same tenant.</summary>
    internal CallRecords.Connection.CallRecordConnection? Origin { get; set; }

    public string Id { get; set; } = string.Empty;
    public long Version { get; set; }
    /// <summary>groupCall, peerToPeer, unknown, or a newer value Graph adds.</summary>
    public string? Type { get; set; }
    public ValueList Modalities { get; set; } = ValueList.Empty;
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
    /// <summary>EndDateTime − StartDateTime, when both are known.</summary>
    public TimeSpan? Duration { get; set; }
    public DateTimeOffset? LastModifiedDateTime { get; set; }
    public string? JoinWebUrl { get; set; }
    /// <summary>From organizer_v2; null when the response did not carry it (list items never do).</summary>
    public CallRecordIdentity? Organizer { get; set; }
    public string? OrganizerName => Organizer?.ToString() is { Length: > 0 } n ? n : null;
    public string? OrganizerId => Organizer?.Id;
    /// <summary>Number of participants_v2 entries, when they were fetched.</summary>
    public int? ParticipantCount { get; set; }
    /// <summary>Sessions with their segments when expanded (-ExpandSession), else null.</summary>
    public ModelList<CallRecordSession>? Sessions { get; set; }
    /// <summary>participants_v2 when expanded (-ExpandParticipant), else null.</summary>
    public ModelList<CallRecordParticipant>? Participants { get; set; }

    /// <summary>The id under the name the other cmdlets bind by property name.</summary>
    public string CallRecordId => Id;

    public override string ToString() => Id;
}
