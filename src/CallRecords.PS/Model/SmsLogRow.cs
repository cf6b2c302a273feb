using System;

namespace CallRecords.Models;

/// <summary>One SMS sent or received through a Teams number (beta microsoft.graph.callRecords.smsLogRow, from
/// getSmsLog). Names follow Graph's, in PascalCase.</summary>
public sealed class SmsLogRow
{
    /// <summary>The row's unique id.</summary>
    public string Id { get; set; } = string.Empty;
    public string? UserId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? UserDisplayName { get; set; }
    /// <summary>Ids of the administrative units the user belongs to (administrativeUnitInfos).</summary>
    public ValueList AdministrativeUnitIds { get; set; } = ValueList.Empty;
    public string? OtherPartyCountryCode { get; set; }
    public DateTimeOffset? SentDateTime { get; set; }
    public string? SmsId { get; set; }
    /// <summary>inbound or outbound.</summary>
    public string? SmsType { get; set; }
    public int? SmsUnits { get; set; }
    public string? SourceNumber { get; set; }
    public string? DestinationNumber { get; set; }
    public string? DestinationContext { get; set; }
    public string? DestinationName { get; set; }
    /// <summary>Amount charged, in <see cref="Currency"/>.</summary>
    public decimal? CallCharge { get; set; }
    public string? Currency { get; set; }
    public string? LicenseCapability { get; set; }
    public string? TenantCountryCode { get; set; }
    public string? UserCountryCode { get; set; }

    public override string ToString() => Id;
}
