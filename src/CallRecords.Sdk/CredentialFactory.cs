using System;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using CallRecords.Connection;

namespace CallRecords.Sdk;

/// <summary>Turns a <see cref="CredentialSpec"/> (validated by the root assembly) into the Azure.Identity credential
/// of that flow, pointed at the connection's authority.</summary>
internal static class CredentialFactory
{
    public static TokenCredential Create(CredentialSpec spec, ConnectionSettings settings)
    {
        switch (spec.Kind)
        {
            case CredentialKind.AccessToken:
                return new StaticTokenCredential(spec.Secret!, spec.ExpiresOn);
            case CredentialKind.ClientSecret:
                // Azure.Identity takes the secret as a string; it is revealed only to build the credential.
                return new ClientSecretCredential(spec.TenantId, spec.ClientId, AccessTokenCredentialProvider.Reveal(spec.Secret!),
                    Options(new ClientSecretCredentialOptions(), settings));
            case CredentialKind.ClientCertificate:
                return new ClientCertificateCredential(spec.TenantId, spec.ClientId, spec.Certificate!, Options(new ClientCertificateCredentialOptions(), settings));
            case CredentialKind.ClientCertificatePem:
                return new ClientCertificateCredential(spec.TenantId, spec.ClientId, spec.FilePath!, Options(new ClientCertificateCredentialOptions(), settings));
            case CredentialKind.ManagedIdentity:
                return new ManagedIdentityCredential(spec.ClientId is null
                    ? ManagedIdentityId.SystemAssigned
                    : ManagedIdentityId.FromUserAssignedClientId(spec.ClientId));
            case CredentialKind.FederatedToken:
                return new WorkloadIdentityCredential(Options(new WorkloadIdentityCredentialOptions
                {
                    TenantId = spec.TenantId, ClientId = spec.ClientId, TokenFilePath = spec.FilePath,
                }, settings));
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown credential kind.");
        }
    }

    private static T Options<T>(T options, ConnectionSettings settings) where T : TokenCredentialOptions
    {
        options.AuthorityHost = settings.AuthorityHost;
        // Windows PowerShell 5.1: token requests over our own handler with TLS 1.2/1.3 (DesktopHttp).
        if (DesktopHttp.TokenTransport(settings.Http) is { } transport) options.Transport = transport;
        // Discovery of a non-Microsoft authority goes to login.microsoftonline.com and stalls where that is unreachable.
        switch (options)
        {
            case ClientSecretCredentialOptions o: o.DisableInstanceDiscovery = settings.DisableInstanceDiscovery; break;
            case ClientCertificateCredentialOptions o: o.DisableInstanceDiscovery = settings.DisableInstanceDiscovery; break;
            case WorkloadIdentityCredentialOptions o: o.DisableInstanceDiscovery = settings.DisableInstanceDiscovery; break;
        }
        return options;
    }

    /// <summary>Hands out the given token for any scope; it cannot be refreshed. Kept as the SecureString and turned
    /// into text only when a request needs the Authorization header.</summary>
    private sealed class StaticTokenCredential : TokenCredential
    {
        private readonly SecureString _token;
        private readonly DateTimeOffset _expiresOn;

        public StaticTokenCredential(SecureString token, DateTimeOffset? expiresOn)
        {
            _token = token;
            _expiresOn = expiresOn ?? DateTimeOffset.MaxValue;
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(AccessTokenCredentialProvider.Reveal(_token), _expiresOn);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
