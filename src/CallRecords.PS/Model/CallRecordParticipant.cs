namespace CallRecords.Models;

/// <summary>A participants_v2 entry (or the organizer_v2) of a call record.</summary>
public sealed class CallRecordParticipant
{
    /// <summary>The connection this object was read through (not shown): cmdlets it is piped to read the same tenant.</summary>
    internal CallRecords.Connection.CallRecordConnection? Origin { get; set; }

    public string CallRecordId { get; set; } = string.Empty;
    /// <summary>The participant entity's id.</summary>
    public string? Id { get; set; }
    public string? Kind => Identity?.Kind;
    public string? DisplayName => Identity?.DisplayName;
    public string? UserPrincipalName => Identity?.UserPrincipalName;
    public string? TenantId => Identity?.TenantId;
    /// <summary>The identity's own id (user object id, phone number …).</summary>
    public string? IdentityId => Identity?.Id;
    public ValueList AdministrativeUnitIds { get; set; } = ValueList.Empty;
    /// <summary>True for the call's organizer (organizer_v2), when Get-CallRecordParticipant looked it up.</summary>
    public bool IsOrganizer { get; set; }
    public CallRecordIdentity? Identity { get; set; }

    public override string ToString() => Identity?.ToString() is { Length: > 0 } s ? s : Id ?? string.Empty;
}
