using System;
using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace CallRecords.Connection;

/// <summary>Which token flow a connection uses; CallRecords.Sdk maps each to an Azure.Identity credential.</summary>
internal enum CredentialKind
{
    /// <summary>A token obtained elsewhere (-AccessToken); never refreshed.</summary>
    AccessToken,
    ClientSecret,
    /// <summary>A certificate with its private key, in memory (PFX, store, or -Certificate).</summary>
    ClientCertificate,
    /// <summary>A PEM file with the certificate and its key, read by Azure.Identity.</summary>
    ClientCertificatePem,
    /// <summary>System-assigned, or user-assigned when <see cref="CredentialSpec.ClientId"/> is set.</summary>
    ManagedIdentity,
    /// <summary>Workload identity federation: an external token in a file, exchanged for an app token.</summary>
    FederatedToken,
}

/// <summary>
/// What a credential is, in BCL types only, validated by the root assembly (Connect-CallRecordGraph's providers) and
/// turned into an Azure.Identity credential by CallRecords.Sdk. Secrets stay SecureStrings; no member reveals one.
/// </summary>
internal sealed class CredentialSpec
{
    private CredentialSpec(CredentialKind kind, string? tenantId, string? clientId)
    {
        Kind = kind;
        TenantId = tenantId;
        ClientId = clientId;
    }

    public CredentialKind Kind { get; }
    public string? TenantId { get; }
    public string? ClientId { get; }
    /// <summary>The client secret, or the access token itself (read-only copies).</summary>
    public SecureString? Secret { get; private set; }
    public X509Certificate2? Certificate { get; private set; }
    /// <summary>The PEM file, or the federated token file (full paths).</summary>
    public string? FilePath { get; private set; }
    /// <summary>Expiry of an access token, when its payload says.</summary>
    public DateTimeOffset? ExpiresOn { get; private set; }

    public static CredentialSpec AccessToken(SecureString token, DateTimeOffset? expiresOn) =>
        new(CredentialKind.AccessToken, null, null) { Secret = token, ExpiresOn = expiresOn };

    public static CredentialSpec ClientSecret(string tenantId, string clientId, SecureString secret) =>
        new(CredentialKind.ClientSecret, tenantId, clientId) { Secret = secret };

    public static CredentialSpec ClientCertificate(string tenantId, string clientId, X509Certificate2 certificate) =>
        new(CredentialKind.ClientCertificate, tenantId, clientId) { Certificate = certificate };

    public static CredentialSpec ClientCertificatePem(string tenantId, string clientId, string pemPath) =>
        new(CredentialKind.ClientCertificatePem, tenantId, clientId) { FilePath = pemPath };

    public static CredentialSpec ManagedIdentity(string? clientId) =>
        new(CredentialKind.ManagedIdentity, null, string.IsNullOrEmpty(clientId) ? null : clientId);

    public static CredentialSpec FederatedToken(string tenantId, string clientId, string tokenFile) =>
        new(CredentialKind.FederatedToken, tenantId, clientId) { FilePath = tokenFile };

    public override string ToString() => Kind.ToString();
}
