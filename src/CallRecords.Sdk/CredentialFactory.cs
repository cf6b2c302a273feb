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
                return new ManagedIdentityCredential(Options(new ManagedIdentityCredentialOptions(spec.ClientId is null
                    ? ManagedIdentityId.SystemAssigned
                    : ManagedIdentityId.FromUserAssignedClientId(spec.ClientId)), settings));
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
        // Token requests (the first at Connect, and every renewal during a listing) keep the connection's -Timeout and
        // -MaxRetry, as Graph requests do: Azure.Core's defaults are a 100 s network timeout and 3 retries, so an
        // authority that accepts and never answers would hold Connect for minutes whatever the user asked for.
        options.Retry.MaxRetries = settings.MaxRetry;
        options.Retry.NetworkTimeout = settings.RequestTimeout;
        options.Retry.Delay = settings.RetryDelay > TimeSpan.Zero ? settings.RetryDelay : TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = MaxRetryDelay(settings);
        options.Retry.Mode = RetryMode.Exponential;
        options.AddPolicy(new TokenAttemptLimit(settings.MaxRetry + 1), HttpPipelinePosition.PerRetry);
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

    /// <summary>The longest wait between two token attempts (as between two page attempts).</summary>
    public static TimeSpan MaxRetryDelay(ConnectionSettings settings) => TimeSpan.FromSeconds(Math.Max(10, settings.RetryDelay.TotalSeconds * 16));

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

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            // A pasted token cannot be renewed: once it has expired, say so instead of sending it for Graph to refuse.
            if (_expiresOn <= DateTimeOffset.UtcNow)
                throw new CallRecordsException("AccessTokenExpired", System.Management.Automation.ErrorCategory.AuthenticationError,
                    $"The access token of this connection expired at {_expiresOn:u}; a token given with -AccessToken cannot be renewed.",
                    "Request a new access token and run Connect-CallRecordGraph -AccessToken again (or connect with a certificate, secret or managed identity, which renew their tokens).");
            return new(AccessTokenCredentialProvider.Reveal(_token), _expiresOn);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
