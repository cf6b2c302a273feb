using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>directRoutingLogRow (v1.0, plus beta's extra properties when present) → <see cref="DirectRoutingLogRow"/>.</summary>
internal static class DirectRoutingLogRowMapper
{
    public static DirectRoutingLogRow? Map(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return new DirectRoutingLogRow
        {
            Id = e.Str("id") ?? string.Empty,
            CorrelationId = e.Str("correlationId"),
            UserId = e.Str("userId"),
            UserPrincipalName = e.Str("userPrincipalName"),
            UserDisplayName = e.Str("userDisplayName"),
            StartDateTime = e.Date("startDateTime"),
            InviteDateTime = e.Date("inviteDateTime"),
            FailureDateTime = e.OptionalDate("failureDateTime"),
            EndDateTime = e.Date("endDateTime"),
            DurationSeconds = e.Seconds("duration"),
            CallType = e.Str("callType"),
            SuccessfulCall = e.Bool("successfulCall"),
            CallerNumber = e.Str("callerNumber"),
            CalleeNumber = e.Str("calleeNumber"),
            MediaPathLocation = e.Str("mediaPathLocation"),
            SignalingLocation = e.Str("signalingLocation"),
            FinalSipCode = e.Int32("finalSipCode"),
            CallEndSubReason = e.Int32("callEndSubReason"),
            FinalSipCodePhrase = e.Str("finalSipCodePhrase"),
            TrunkFullyQualifiedDomainName = e.Str("trunkFullyQualifiedDomainName"),
            MediaBypassEnabled = e.Bool("mediaBypassEnabled"),
            AdministrativeUnitIds = CallRecordMapper.AdministrativeUnits(e),
            OtherPartyCountryCode = e.Str("otherPartyCountryCode"),
            TransferorCorrelationId = e.Str("transferorCorrelationId"),
            UserCountryCode = e.Str("userCountryCode"),
        };
    }
}
