using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>beta pstnBlockedUsersLogRow → <see cref="PstnBlockedUsersLogRow"/>.</summary>
internal static class PstnBlockedUsersLogRowMapper
{
    public static PstnBlockedUsersLogRow? Map(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return new PstnBlockedUsersLogRow
        {
            BlockDateTime = e.Date("blockDateTime"),
            BlockReason = e.Str("blockReason"),
            RemediationId = e.Str("remediationId"),
            UserBlockMode = e.Str("userBlockMode"),
            UserDisplayName = e.Str("userDisplayName"),
            UserId = e.Str("userId"),
            UserPrincipalName = e.Str("userPrincipalName"),
            UserTelephoneNumber = e.Str("userTelephoneNumber"),
        };
    }
}
