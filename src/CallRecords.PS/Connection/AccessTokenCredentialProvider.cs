using System;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

namespace CallRecords.Connection;

/// <summary>
/// Connect-CallRecordGraph -AccessToken: a token obtained elsewhere. It is kept as the SecureString and turned into
/// text only when a request needs the Authorization header. The payload is read to show tenant, app and expiry,
/// and to refuse tokens Graph would refuse for call records (delegated tokens, tokens without application roles).
/// </summary>
internal sealed class AccessTokenCredentialProvider : ICredentialProvider
{
    public const string CallRecordsRole = "CallRecords.Read.All";

    private readonly SecureString _token;

    public AccessTokenCredentialProvider(SecureString token)
    {
        if (token is null || token.Length == 0)
            throw new CallRecordsException("AccessTokenEmpty", ErrorCategory.InvalidArgument, "The access token is empty.", "Pass the access token as a SecureString, for example: ConvertTo-SecureString $token -AsPlainText -Force.");
        _token = token.Copy();
        _token.MakeReadOnly();
        var text = Reveal(_token);
        if (!AccessTokenInfo.TryParse(text, out var info))
            throw new CallRecordsException("AccessTokenMalformed", ErrorCategory.InvalidArgument,
                "The access token is not a JSON Web Token (three base64url parts). Pass the access_token value of a token response, without the 'Bearer ' prefix.",
                "Get an app-only token for https://graph.microsoft.com/.default and pass its access_token.");
        Info = info;
        if (info.Scopes is not null || info.Roles.Count == 0) throw NoApplicationRoles(info);
        if (info.ExpiresOn is { } exp && exp <= DateTimeOffset.UtcNow)
            throw new CallRecordsException("AccessTokenExpired", ErrorCategory.AuthenticationError,
                $"The access token expired at {exp:u}.", "Request a new access token and connect again.");
    }

    public AccessTokenInfo Info { get; }
    public string AuthKind => "AccessToken";
    public string? TenantId => Info.TenantId;
    public string? ClientId => Info.AppId;

    /// <summary>True when the roles include a role that grants reading call records.</summary>
    public bool HasCallRecordsRole => Info.Roles.Any(r =>
        string.Equals(r, CallRecordsRole, StringComparison.OrdinalIgnoreCase) || string.Equals(r, "CallRecords.ReadWrite.All", StringComparison.OrdinalIgnoreCase));

    public CredentialSpec Credential => CredentialSpec.AccessToken(_token, Info.ExpiresOn);

    public Exception DescribeFailure(Exception failure, ConnectionSettings settings) => failure;

    /// <summary>Graph refuses call records to delegated tokens and to tokens without application roles; say why and
    /// what to change, for a pasted token and for a credential flow alike.</summary>
    internal static CallRecordsException NoApplicationRoles(AccessTokenInfo info) =>
        new("AccessTokenHasNoApplicationRoles", ErrorCategory.PermissionDenied,
            (info.Scopes is not null ? "The access token is a delegated (user) token. " : "The access token carries no application roles. ") +
            "Graph serves call records only to applications: the app registration needs the CallRecords.Read.All application permission (not a delegated permission) with admin consent, and the token must come from an app-only flow (client credentials, certificate, managed identity).",
            "In Entra ID > App registrations > API permissions, add Microsoft Graph > Application permissions > CallRecords.Read.All, select 'Grant admin consent', then request a new token with the client credentials flow.");

    internal static string Reveal(SecureString secure)
    {
        var ptr = IntPtr.Zero;
        try
        {
            ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
            return Marshal.PtrToStringUni(ptr) ?? string.Empty;
        }
        finally
        {
            if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }
}
