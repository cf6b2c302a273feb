using System;

namespace CallRecords.Models;

/// <summary>One call through a customer's session border controller (microsoft.graph.callRecords.directRoutingLogRow,
/// from getDirectRoutingCalls). Names follow Graph's, in PascalCase.</summary>
public sealed class DirectRoutingLogRow
{
    /// <summary>The row's unique id.</summary>
    public string Id { get; set; } = string.Empty;
    /// <summary>The call's correlation id (the SBC logs it too).</summary>
    public string? CorrelationId { get; set; }
    public string? UserId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? UserDisplayName { get; set; }
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? InviteDateTime { get; set; }
    /// <summary>When the call failed; null for successful calls (Graph sends 0001-01-01T00:00:00Z for them).</summary>
    public DateTimeOffset? FailureDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
    /// <summary>Graph's duration, in whole seconds as Graph counts it (a number, for CSV).</summary>
    public long? DurationSeconds { get; set; }
    /// <summary>ByotIn, ByotOut, ByotOutUserForwarding, … (Graph's text, unchanged).</summary>
    public string? CallType { get; set; }
    public bool? SuccessfulCall { get; set; }
    public string? CallerNumber { get; set; }
    public string? CalleeNumber { get; set; }
    public string? MediaPathLocation { get; set; }
    public string? SignalingLocation { get; set; }
    /// <summary>SIP response code that ended the call (0 for a normal end).</summary>
    public int? FinalSipCode { get; set; }
    public int? CallEndSubReason { get; set; }
    public string? FinalSipCodePhrase { get; set; }
    public string? TrunkFullyQualifiedDomainName { get; set; }
    public bool? MediaBypassEnabled { get; set; }

    // beta's callLogRow/directRoutingLogRow extras: filled only on a beta connection.
    public ValueList AdministrativeUnitIds { get; set; } = ValueList.Empty;
    public string? OtherPartyCountryCode { get; set; }
    public string? TransferorCorrelationId { get; set; }
    public string? UserCountryCode { get; set; }

    public override string ToString() => Id;
}
