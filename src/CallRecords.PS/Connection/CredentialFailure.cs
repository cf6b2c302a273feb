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

    public static Exception Describe(Exception failure, ICredentialProvider provider, ConnectionSettings settings, IReadOnlyList<SecureString> secrets)
    {
        if (failure is CallRecordsException or OperationCanceledException or ObjectDisposedException) return failure;

        var detail = Mask(ChainText(failure), secrets);
        var code = AadstsCode.Match(detail) is { Success: true } m ? m.Groups[1].Value : null;
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

    private static (string, ErrorCategory, string) Classify(string? code, Exception failure, ICredentialProvider provider)
    {
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
