using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>beta smsLogRow → <see cref="SmsLogRow"/>.</summary>
internal static class SmsLogRowMapper
{
    public static SmsLogRow? Map(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return new SmsLogRow
        {
            Id = e.Str("id") ?? string.Empty,
            UserId = e.Str("userId"),
            UserPrincipalName = e.Str("userPrincipalName"),
            UserDisplayName = e.Str("userDisplayName"),
            AdministrativeUnitIds = CallRecordMapper.AdministrativeUnits(e),
            OtherPartyCountryCode = e.Str("otherPartyCountryCode"),
            SentDateTime = e.Date("sentDateTime"),
            SmsId = e.Str("smsId"),
            SmsType = e.Str("smsType"),
            SmsUnits = e.Int32("smsUnits"),
            SourceNumber = e.Str("sourceNumber"),
            DestinationNumber = e.Str("destinationNumber"),
            DestinationContext = e.Str("destinationContext"),
            DestinationName = e.Str("destinationName"),
            CallCharge = e.Decimal("callCharge"),
            Currency = e.Str("currency"),
            LicenseCapability = e.Str("licenseCapability"),
            TenantCountryCode = e.Str("tenantCountryCode"),
            UserCountryCode = e.Str("userCountryCode"),
        };
    }
}
