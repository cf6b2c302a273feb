using System;

namespace CallRecords.Models;

/// <summary>Audio-conferencing dial-out usage aggregated per user and destination context (beta
/// microsoft.graph.callRecords.pstnOnlineMeetingDialoutReport, from getPstnOnlineMeetingDialoutReport). Graph
/// aggregates over the range it is asked for, so each row also says which range (one ≤ 90-day window) it covers.</summary>
public sealed class PstnOnlineMeetingDialoutReport
{
    public string? UserId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? UserDisplayName { get; set; }
    public string? UsageLocation { get; set; }
    public string? DestinationContext { get; set; }
    public int? TotalCalls { get; set; }
    /// <summary>totalCallSeconds as sent by Graph.</summary>
    public int? TotalCallSeconds { get; set; }
    /// <summary>Amount charged, in <see cref="Currency"/>.</summary>
    public decimal? TotalCallCharge { get; set; }
    public string? Currency { get; set; }
    /// <summary>Start of the range this aggregate covers (inclusive; not a Graph property).</summary>
    public DateTimeOffset? ReportStartDateTime { get; set; }
    /// <summary>End of the range this aggregate covers (exclusive; not a Graph property).</summary>
    public DateTimeOffset? ReportEndDateTime { get; set; }

    public override string ToString() => $"{UserPrincipalName} {DestinationContext} {TotalCalls}";
}
