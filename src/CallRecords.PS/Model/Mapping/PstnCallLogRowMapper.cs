using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>pstnCallLogRow (v1.0, plus beta's extra properties when present) → <see cref="PstnCallLogRow"/>.</summary>
internal static class PstnCallLogRowMapper
{
    public static PstnCallLogRow? Map(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return new PstnCallLogRow
        {
            Id = e.Str("id") ?? string.Empty,
            CallId = e.Str("callId"),
            UserId = e.Str("userId"),
            UserPrincipalName = e.Str("userPrincipalName"),
            UserDisplayName = e.Str("userDisplayName"),
            StartDateTime = e.Date("startDateTime"),
            EndDateTime = e.Date("endDateTime"),
            DurationSeconds = e.Seconds("duration"),
            Charge = e.Decimal("charge"),
            ConnectionCharge = e.Decimal("connectionCharge"),
            Currency = e.Str("currency"),
            CallType = e.Str("callType"),
            CalleeNumber = e.Str("calleeNumber"),
            CallerNumber = e.Str("callerNumber"),
            UsageCountryCode = e.Str("usageCountryCode"),
            TenantCountryCode = e.Str("tenantCountryCode"),
            DestinationContext = e.Str("destinationContext"),
            DestinationName = e.Str("destinationName"),
            ConferenceId = e.Str("conferenceId"),
            LicenseCapability = e.Str("licenseCapability"),
            InventoryType = e.Str("inventoryType"),
            Operator = e.Str("operator"),
            CallDurationSource = e.Str("callDurationSource"),
            AdministrativeUnitIds = CallRecordMapper.AdministrativeUnits(e),
            OtherPartyCountryCode = e.Str("otherPartyCountryCode"),
            ClientLocalIpV4Address = e.Str("clientLocalIpV4Address"),
            ClientLocalIpV6Address = e.Str("clientLocalIpV6Address"),
            ClientPublicIpV4Address = e.Str("clientPublicIpV4Address"),
            ClientPublicIpV6Address = e.Str("clientPublicIpV6Address"),
        };
    }
}
