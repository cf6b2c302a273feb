using System;

namespace CallRecords.Models;

/// <summary>One call of a Microsoft Calling Plan, Operator Connect or audio-conferencing number
/// (microsoft.graph.callRecords.pstnCallLogRow, from getPstnCalls). Names follow Graph's, in PascalCase.</summary>
public sealed class PstnCallLogRow
{
    /// <summary>The row's unique id.</summary>
    public string Id { get; set; } = string.Empty;
    /// <summary>Call identifier, not guaranteed unique.</summary>
    public string? CallId { get; set; }
    public string? UserId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? UserDisplayName { get; set; }
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
    /// <summary>Graph's duration, in whole seconds as Graph counts it (a number, for CSV).</summary>
    public long? DurationSeconds { get; set; }
    /// <summary>Amount charged for the call, in <see cref="Currency"/>.</summary>
    public decimal? Charge { get; set; }
    /// <summary>Connection fee charged, in <see cref="Currency"/>.</summary>
    public decimal? ConnectionCharge { get; set; }
    public string? Currency { get; set; }
    /// <summary>user_in, user_out, conf_in, conf_out, emergency_call, … (Graph's text, unchanged).</summary>
    public string? CallType { get; set; }
    public string? CalleeNumber { get; set; }
    public string? CallerNumber { get; set; }
    public string? UsageCountryCode { get; set; }
    public string? TenantCountryCode { get; set; }
    /// <summary>Domestic or International.</summary>
    public string? DestinationContext { get; set; }
    public string? DestinationName { get; set; }
    public string? ConferenceId { get; set; }
    public string? LicenseCapability { get; set; }
    public string? InventoryType { get; set; }
    public string? Operator { get; set; }
    /// <summary>microsoft or operator.</summary>
    public string? CallDurationSource { get; set; }

    // beta's callLogRow/pstnCallLogRow extras: filled only on a beta connection.
    public ValueList AdministrativeUnitIds { get; set; } = ValueList.Empty;
    public string? OtherPartyCountryCode { get; set; }
    public string? ClientLocalIpV4Address { get; set; }
    public string? ClientLocalIpV6Address { get; set; }
    public string? ClientPublicIpV4Address { get; set; }
    public string? ClientPublicIpV6Address { get; set; }

    public override string ToString() => Id;
}
