using System;

namespace CallRecords.Models;

/// <summary>One block or unblock of a user's PSTN calling (beta microsoft.graph.callRecords.pstnBlockedUsersLogRow,
/// from getPstnBlockedUsersLog). Graph gives these rows no id.</summary>
public sealed class PstnBlockedUsersLogRow
{
    public DateTimeOffset? BlockDateTime { get; set; }
    public string? BlockReason { get; set; }
    public string? RemediationId { get; set; }
    /// <summary>blocked or unblocked (or a member Graph adds later).</summary>
    public string? UserBlockMode { get; set; }
    public string? UserDisplayName { get; set; }
    public string? UserId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? UserTelephoneNumber { get; set; }

    public override string ToString() => $"{UserPrincipalName} {UserBlockMode} {BlockDateTime:u}";
}
