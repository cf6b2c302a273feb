using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace CallRecords.Connection;

/// <summary>
/// Makes a failed token request readable. Azure.Identity's AuthenticationFailedException says only
/// "XCredential authentication failed: "; Entra's AADSTS code and text are in the inner MsalServiceException. The
/// result names the flow, tenant, app and authority, quotes Entra, says what to check by AADSTS code, and has every
/// known secret masked (Entra never echoes one, but the texts pass through here either way).
/// </summary>
internal static class CredentialFailure
{
    private static readonly Regex AadstsCode = new(@"AADSTS(\d+)", RegexOptions.CultureInvariant);

    /// <remarks>Called only for failures the caller did not cause: a cancellation that arrives here is a timeout of the
    /// token request (the token cache passes the caller's own cancellation through without describing it).</remarks>
    public static Exception Describe(Exception failure, ICredentialProvider provider, ConnectionSettings settings, IReadOnlyList<SecureString> secrets)
    {
        if (failure is CallRecordsException or ObjectDisposedException) return failure;

        var detail = Mask(ChainText(failure), secrets);
        var code = AadstsCode.Match(detail) is { Success: true } m ? m.Groups[1].Value : null;
        if (code is null && Unreachable(failure) is { } how) return AuthorityUnreachable(provider, settings, how);
        var (errorId, category, action) = Classify(code, failure, provider);
        var who = new StringBuilder();
        if (provider.ClientId is not null) who.Append(" for app ").Append(provider.ClientId);
        if (provider.TenantId is not null) who.Append(" in tenant ").Append(provider.TenantId);
        var where = provider.AuthKind == "ManagedIdentity" ? "from the managed identity endpoint" : "from " + settings.AuthorityHost.GetLeftPart(UriPartial.Authority);
        var message = $"Getting a Microsoft Graph token ({provider.AuthKind}{who}) {where} failed: {detail}";
        // The Azure.Identity/MSAL exception is not kept as the inner exception: its ToString adds the token service's
        // raw response and headers to $Error and to logs. Its message is all in this one.
        return new CallRecordsException(errorId, category, message, action, provider.TenantId);
    }

    /// <summary>
    /// The authority (or managed identity endpoint) did not answer: refused, unresolvable, reset, or silent past
    /// -Timeout. Said in our words with the address, the attempts and the settings that govern them — the SDK's own
    /// texts ("adjust ClientOptions.Retry", one "(Connection refused)" per attempt) name options a PowerShell user
    /// does not have.
    /// </summary>
    private static CallRecordsException AuthorityUnreachable(ICredentialProvider provider, ConnectionSettings settings, string how)
    {
        var managed = provider.AuthKind == "ManagedIdentity";
        var where = managed ? "the managed identity endpoint " + ManagedIdentityEndpoint() : "the sign-in authority " + settings.AuthorityHost.GetLeftPart(UriPartial.Authority);
        var attempts = settings.MaxRetry + 1;
        var message = string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "Getting a Microsoft Graph token ({0}) failed: {1} could not be reached ({2}); {3} attempt{4}, each allowed {5:0.###} s (-Timeout {5:0.###}, -MaxRetry {6}).",
            provider.AuthKind, where, how, attempts, attempts == 1 ? "" : "s", settings.RequestTimeout.TotalSeconds, settings.MaxRetry);
        var action = managed
            ? "Run where a managed identity is enabled (Azure Automation, App Service, Functions, a VM) and its endpoint answers; elsewhere connect with a certificate or secret."
            : "Check the network path to the authority (proxy, firewall, DNS, TLS inspection) and -Environment / -AuthorityHost; raise -Timeout or -MaxRetry for a slow network.";
        return new CallRecordsException("AuthorityUnreachable", ErrorCategory.ConnectionError, message, action, managed ? ManagedIdentityEndpoint() : settings.AuthorityHost.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>Where Azure.Identity's managed identity credential sends its request (App Service, Cloud Shell/Arc, or IMDS).</summary>
    private static string ManagedIdentityEndpoint() =>
        System.Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT") is { Length: > 0 } identity ? identity
        : System.Environment.GetEnvironmentVariable("MSI_ENDPOINT") is { Length: > 0 } msi ? msi
        : "http://169.254.169.254/metadata/identity/oauth2/token";

    /// <summary>How the request failed to get an answer, or null when an answer arrived (an error from the service).</summary>
    private static string? Unreachable(Exception failure)
    {
        // What the network said first (a refusal beats the timeout that ended the retries), then a timeout.
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case System.Net.Sockets.SocketException s:
                    return s.SocketErrorCode switch
                    {
                        System.Net.Sockets.SocketError.ConnectionRefused => "the connection was refused",
                        System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.TryAgain => "the host name does not resolve",
                        System.Net.Sockets.SocketError.TimedOut => "the connection timed out",
                        // Aborted is the socket closed by a timeout's cancellation: the timeout is the verdict.
                        System.Net.Sockets.SocketError.OperationAborted => null,
                        _ => "the connection failed: " + s.SocketErrorCode,
                    } ?? "no answer within the timeout";
                case System.Security.Authentication.AuthenticationException:
                    return "the TLS handshake failed (an untrusted or invalid certificate)";
            }
        }
        for (var e = failure; e is not null; e = e.InnerException)
            if (e is OperationCanceledException or TimeoutException) return "no answer within the timeout";
        // Managed identity: Azure.Identity reports a missing endpoint by message only.
        var text = ChainText(failure);
        if (text.IndexOf("No response received from the managed identity endpoint", StringComparison.OrdinalIgnoreCase) >= 0) return "no response";
        return Contains<HttpRequestException>(failure) ? "the connection failed" : null;
    }

    private static (string, ErrorCategory, string) Classify(string? code, Exception failure, ICredentialProvider provider)
    {
        // A client assertion Entra cannot use is the certificate's in the certificate flow, the external token's in
        // the federated one (AADSTS50027: invalid or malformed JWT).
        if (code is "700027" or "50027" && provider.AuthKind.IndexOf("Federated", StringComparison.Ordinal) >= 0) code = "700211";
        switch (code)
        {
            case "7000215" or "7000222" or "7000218":
                return ("InvalidClientSecret", ErrorCategory.AuthenticationError,
                    "Check the client secret: use the secret's Value (not its Secret ID) from App registrations > Certificates & secrets, and check that it has not expired.");
            case "90002" or "900023" or "90033":
                return ("TenantNotFound", ErrorCategory.ObjectNotFound,
                    "Check -TenantId (the Directory (tenant) ID or a verified domain) and -Environment: a tenant in a national cloud needs -Environment USGov, USGovDoD or China.");
            case "700016":
                return ("ApplicationNotFound", ErrorCategory.ObjectNotFound,
                    "Check -ClientId (the Application (client) ID) and that the app is registered in, or consented to by, this tenant.");
            case "700027" or "50027":
                return ("CertificateRejected", ErrorCategory.AuthenticationError,
                    "Upload the certificate's public part (.cer) to the app registration under Certificates & secrets, or use the certificate that is registered there.");
            case "70021" or "700211" or "700212" or "700213" or "700024" or "700021":
                return ("FederatedTokenRejected", ErrorCategory.AuthenticationError,
                    "Check the app's federated credential: its issuer, subject (e.g. repo:contoso/reports:environment:prod) and audience (api://AzureADTokenExchange) must match the token, and the token file must hold a current token.");
        }
        if (provider.AuthKind == "ManagedIdentity")
            return ("ManagedIdentityFailed", ErrorCategory.AuthenticationError,
                "Run where a managed identity is enabled (Azure Automation account, App Service, Functions, VM); for a user-assigned identity pass its client id with -ClientId, and assign it the CallRecords.Read.All application permission.");
        if (Contains<HttpRequestException>(failure))
            return ("AuthorityUnreachable", ErrorCategory.ConnectionError,
                "Check the network path to the authority (proxy, firewall, DNS, TLS inspection) and -Environment / -AuthorityHost.");
        return ("AuthenticationFailed", ErrorCategory.AuthenticationError,
            "Check the tenant id, client id and credential, then run Connect-CallRecordGraph again.");
    }

    /// <summary>The messages of the exception chain, without Azure.Identity's empty "XCredential authentication failed: "
    /// prefix repeating what the inner exception says.</summary>
    private static string ChainText(Exception failure)
    {
        var parts = new List<string>();
        for (var e = failure; e is not null; e = e.InnerException)
        {
            var text = (e.Message ?? string.Empty).Trim();
            if (IsAuthenticationFailed(e) && text.EndsWith(":", StringComparison.Ordinal) && e.InnerException is not null) continue;
            if (text.Length == 0 || parts.Exists(p => p.IndexOf(text, StringComparison.Ordinal) >= 0)) continue;
            parts.Add(text);
        }
        return parts.Count == 0 ? failure.GetType().Name : string.Join(" ", parts);
    }

    /// <summary>Azure.Identity's AuthenticationFailedException, known by name: Azure.Identity is loaded in the module's
    /// private context and this assembly does not reference it.</summary>
    private static bool IsAuthenticationFailed(Exception e) => e.GetType().FullName == "Azure.Identity.AuthenticationFailedException";

    private static bool Contains<T>(Exception failure) where T : Exception
    {
        for (var e = failure; e is not null; e = e.InnerException)
            if (e is T) return true;
        return false;
    }

    private static string Mask(string text, IReadOnlyList<SecureString> secrets)
    {
        foreach (var secret in secrets)
        {
            var plain = AccessTokenCredentialProvider.Reveal(secret);
            if (plain.Length > 0) text = text.Replace(plain, "***");
        }
        return text;
    }
}
