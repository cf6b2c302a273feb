namespace CallRecords.Models;

/// <summary>
/// One identity from a Graph identitySet / communicationsIdentitySet, reduced to the member that names the party.
/// Kind is the identitySet key it came from (user, guest, phone, application, applicationInstance, acsUser,
/// spoolUser, azureCommunicationServicesUser, encrypted, onPremises, device, …); unknown keys are kept as-is.
/// </summary>
public sealed class CallRecordIdentity
{
    public string? Kind { get; set; }
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? TenantId { get; set; }
    public string? Email { get; set; }
    /// <summary>communicationsIdentitySet.endpointType (default, voicemail, skypeForBusiness, …) when present.</summary>
    public string? EndpointType { get; set; }

    public override string ToString() => DisplayName ?? UserPrincipalName ?? Id ?? Kind ?? string.Empty;
}
