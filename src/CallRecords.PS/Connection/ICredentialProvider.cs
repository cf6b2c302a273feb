using Azure.Core;

namespace CallRecords.Connection;

/// <summary>
/// How a connection gets its tokens. Connect-CallRecordGraph picks one per parameter set (-AccessToken today;
/// client secret, certificate, managed identity, federated token and environment variables plug in here) and the
/// rest of the module never knows which: the session wraps the credential for the Graph SDK.
/// </summary>
internal interface ICredentialProvider
{
    /// <summary>Shown as CallRecordConnection.AuthKind: AccessToken, ClientSecret, Certificate, ManagedIdentity, …</summary>
    string AuthKind { get; }
    string? TenantId { get; }
    string? ClientId { get; }

    /// <summary>The Azure.Core credential the session's Graph client uses. Called once per connection; the result
    /// must cache and refresh its own tokens.</summary>
    TokenCredential CreateCredential(ConnectionSettings settings);
}
