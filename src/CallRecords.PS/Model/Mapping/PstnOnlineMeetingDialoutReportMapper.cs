using System;
using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>beta pstnOnlineMeetingDialoutReport → <see cref="PstnOnlineMeetingDialoutReport"/>, stamped with the
/// range the aggregate was asked for.</summary>
internal static class PstnOnlineMeetingDialoutReportMapper
{
    public static PstnOnlineMeetingDialoutReport? Map(JsonElement e, DateTimeOffset reportStart, DateTimeOffset reportEnd)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return new PstnOnlineMeetingDialoutReport
        {
            UserId = e.Str("userId"),
            UserPrincipalName = e.Str("userPrincipalName"),
            UserDisplayName = e.Str("userDisplayName"),
            UsageLocation = e.Str("usageLocation"),
            DestinationContext = e.Str("destinationContext"),
            TotalCalls = e.Int32("totalCalls"),
            TotalCallSeconds = e.Int32("totalCallSeconds"),
            TotalCallCharge = e.Decimal("totalCallCharge"),
            Currency = e.Str("currency"),
            ReportStartDateTime = reportStart,
            ReportEndDateTime = reportEnd,
        };
    }
}
