using System;
using Azure.Core;

namespace CallRecords.Connection;

/// <summary>
/// How a connection gets its tokens. Connect-CallRecordGraph picks one per parameter set (an access token, or one of
/// the Azure.Identity flows in <see cref="AppCredentialProvider"/>) and the rest of the module never knows which: the
/// session wraps the credential for the Graph SDK. Azure.Identity types stay behind this interface.
/// </summary>
internal interface ICredentialProvider
{
    /// <summary>Shown as CallRecordConnection.AuthKind: AccessToken, ClientSecret, Certificate, ManagedIdentity, …</summary>
    string AuthKind { get; }
    string? TenantId { get; }
    string? ClientId { get; }

    /// <summary>The Azure.Core credential the session's Graph client uses. Called once per connection; the session
    /// caches and refreshes the tokens it returns (<see cref="ConnectionTokenCache"/>).</summary>
    TokenCredential CreateCredential(ConnectionSettings settings);

    /// <summary>Turns a failure of the credential into one an admin can act on (what was asked of whom, Entra's
    /// AADSTS text, what to check). Must never include a secret.</summary>
    Exception DescribeFailure(Exception failure, ConnectionSettings settings);
}
