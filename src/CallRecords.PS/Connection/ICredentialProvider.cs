using System;

namespace CallRecords.Connection;

/// <summary>
/// How a connection gets its tokens. Connect-CallRecordGraph picks one per parameter set (an access token, or one of
/// the app-only flows in <see cref="AppCredentialProvider"/>) and the rest of the module never knows which. A provider
/// validates its input and describes the credential (<see cref="CredentialSpec"/>); CallRecords.Sdk, in the private
/// load context, turns that into an Azure.Identity credential, so no Azure.Identity type is named here.
/// </summary>
internal interface ICredentialProvider
{
    /// <summary>Shown as CallRecordConnection.AuthKind: AccessToken, ClientSecret, Certificate, ManagedIdentity, …</summary>
    string AuthKind { get; }
    string? TenantId { get; }
    string? ClientId { get; }

    /// <summary>The credential the connection's Graph client is built with (once per connection; the client caches
    /// and refreshes the tokens it returns).</summary>
    CredentialSpec Credential { get; }

    /// <summary>Turns a failure of the credential into one an admin can act on (what was asked of whom, Entra's
    /// AADSTS text, what to check). Must never include a secret.</summary>
    Exception DescribeFailure(Exception failure, ConnectionSettings settings);
}
