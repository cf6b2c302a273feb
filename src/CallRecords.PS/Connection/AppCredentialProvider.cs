using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace CallRecords.Connection;

/// <summary>
/// The app-only flows of Connect-CallRecordGraph: client secret, client certificate, managed identity, federated
/// (workload identity) token, and the same chosen by AZURE_* environment variables. Each is checked here and
/// described as a <see cref="CredentialSpec"/>; CallRecords.Sdk builds the matching Azure.Identity credential, one
/// instance per connection, so MSAL's in-memory token cache is per connection too.
/// </summary>
internal sealed class AppCredentialProvider : ICredentialProvider
{
    // Texts that must never appear in an error (a client secret, a certificate password); kept as SecureStrings.
    private readonly List<SecureString> _secrets = new();

    private AppCredentialProvider(string authKind, string? tenantId, string? clientId, CredentialSpec credential)
    {
        AuthKind = authKind;
        TenantId = tenantId;
        ClientId = clientId;
        Credential = credential;
    }

    public string AuthKind { get; }
    public string? TenantId { get; }
    public string? ClientId { get; }
    /// <summary>What the credential is, for -Debug (never a secret): e.g. the certificate's thumbprint or the token file.</summary>
    public string? Detail { get; private set; }

    public CredentialSpec Credential { get; }

    public static AppCredentialProvider ClientSecret(string tenantId, string clientId, SecureString secret, string authKind = "ClientSecret")
    {
        RequireIds(tenantId, clientId);
        if (secret is null || secret.Length == 0)
            throw new CallRecordsException("ClientSecretEmpty", ErrorCategory.InvalidArgument, "The client secret is empty.",
                "Pass the secret's Value from App registrations > Certificates & secrets as a SecureString.");
        var kept = secret.Copy();
        kept.MakeReadOnly();
        var provider = new AppCredentialProvider(authKind, tenantId, clientId, CredentialSpec.ClientSecret(tenantId, clientId, kept));
        provider._secrets.Add(kept);
        return provider;
    }

    public static AppCredentialProvider ClientCertificate(string tenantId, string clientId, X509Certificate2 certificate, string authKind = "Certificate")
    {
        RequireIds(tenantId, clientId);
        if (!certificate.HasPrivateKey)
            throw new CallRecordsException("CertificateHasNoPrivateKey", ErrorCategory.InvalidArgument,
                $"The certificate {certificate.Thumbprint} ({certificate.Subject}) has no private key, so it cannot sign the token request.",
                "Use the certificate with its private key (a PFX, a PEM with the key, or a store certificate whose key is present); only its public part is uploaded to the app registration.");
        // Entra refuses an assertion signed by a certificate outside its validity period; saying so here is clearer
        // than the AADSTS answer and costs no token request.
        var now = DateTime.Now;
        if (certificate.NotAfter < now || certificate.NotBefore > now)
            throw new CallRecordsException("CertificateExpired", ErrorCategory.InvalidArgument,
                $"The certificate {certificate.Thumbprint} ({certificate.Subject}) is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, which does not include now.",
                "Create or renew the certificate, upload its public part to the app registration (Certificates & secrets), and connect with the new one.");
        return new AppCredentialProvider(authKind, tenantId, clientId, CredentialSpec.ClientCertificate(tenantId, clientId, certificate))
        { Detail = $"certificate {certificate.Thumbprint} ({certificate.Subject})" };
    }

    /// <summary>A PFX (optionally with a password) or a PEM file holding the certificate and its private key.</summary>
    public static AppCredentialProvider ClientCertificateFile(string tenantId, string clientId, string path, SecureString? password, string authKind = "Certificate")
    {
        RequireIds(tenantId, clientId);
        var file = CertificateFiles.Read(path, password);
        if (file.Certificate is { } loaded)
        {
            var provider = ClientCertificate(tenantId, clientId, loaded, authKind);
            if (password is not null) provider._secrets.Add(password);
            return provider;
        }
        // PEM: Azure.Identity reads the certificate and key itself (netstandard2.0 has no PEM key import).
        return new AppCredentialProvider(authKind, tenantId, clientId, CredentialSpec.ClientCertificatePem(tenantId, clientId, file.PemPath!))
        { Detail = "certificate file " + file.PemPath };
    }

    public static AppCredentialProvider ClientCertificateThumbprint(string tenantId, string clientId, string thumbprint) =>
        ClientCertificate(tenantId, clientId, CertificateFiles.FromStore(thumbprint));

    /// <summary>System-assigned, or user-assigned when <paramref name="clientId"/> is given. The tenant and app are
    /// known only from the token.</summary>
    public static AppCredentialProvider ManagedIdentity(string? clientId) =>
        new("ManagedIdentity", null, clientId, CredentialSpec.ManagedIdentity(clientId))
        { Detail = string.IsNullOrEmpty(clientId) ? "system-assigned identity" : "user-assigned identity " + clientId };

    /// <summary>Workload identity federation: the file holds an external OIDC token (GitHub Actions, AKS) that Entra
    /// exchanges for an app token. The file is read again at each refresh, as those platforms rotate it.</summary>
    public static AppCredentialProvider FederatedToken(string tenantId, string clientId, string tokenFile, string authKind = "FederatedToken")
    {
        RequireIds(tenantId, clientId);
        var full = Path.GetFullPath(tokenFile);
        if (!File.Exists(full))
            throw new CallRecordsException("FederatedTokenFileNotFound", ErrorCategory.ObjectNotFound,
                $"The federated token file '{full}' does not exist.",
                "Pass the file your platform writes the workload identity token to (AKS: AZURE_FEDERATED_TOKEN_FILE; GitHub Actions: write the OIDC token from ACTIONS_ID_TOKEN_REQUEST_URL to a file first).", full);
        if (Directory.Exists(full))
            throw new CallRecordsException("FederatedTokenFileNotFound", ErrorCategory.InvalidArgument,
                $"'{full}' is a folder, not a federated token file.", "Pass the path of the file that holds the token.", full);
        // What the file holds now must be a JWT (header.payload.signature); Entra's answer to anything else is a bare
        // "invalid assertion". Later renewals read the file again, as the platforms rotate it.
        string content;
        try { content = File.ReadAllText(full).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CallRecordsException("FederatedTokenFileUnreadable", ErrorCategory.ReadError,
                $"The federated token file '{full}' cannot be read: {e.Message}", "Let the account running PowerShell read the token file.", full);
        }
        if (!AccessTokenInfo.LooksLikeJwt(content))
            throw new CallRecordsException("FederatedTokenMalformed", ErrorCategory.InvalidData,
                $"The federated token file '{full}' does not hold a token: a workload identity token is a JSON Web Token (three base64url parts separated by dots){(content.Length == 0 ? ", and the file is empty" : "")}.",
                "Write the platform's OIDC token itself to the file (GitHub Actions: the 'value' of the ACTIONS_ID_TOKEN_REQUEST_URL response; AKS: the projected service account token).", full);
        return new AppCredentialProvider(authKind, tenantId, clientId, CredentialSpec.FederatedToken(tenantId, clientId, full))
        { Detail = "federated token file " + full };
    }

    /// <summary>
    /// -EnvironmentVariable: AZURE_TENANT_ID and AZURE_CLIENT_ID with one of AZURE_CLIENT_SECRET,
    /// AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD) or AZURE_FEDERATED_TOKEN_FILE, the variables
    /// Azure.Identity's EnvironmentCredential and WorkloadIdentityCredential read. Read here so a missing one is named.
    /// </summary>
    public static AppCredentialProvider FromEnvironment(Func<string, string?> getVariable)
    {
        string? Get(string name) => getVariable(name) is { Length: > 0 } v ? v : null;
        var tenant = Get("AZURE_TENANT_ID");
        var client = Get("AZURE_CLIENT_ID");
        var secret = Get("AZURE_CLIENT_SECRET");
        var certificate = Get("AZURE_CLIENT_CERTIFICATE_PATH");
        var tokenFile = Get("AZURE_FEDERATED_TOKEN_FILE");
        var missing = new List<string>();
        if (tenant is null) missing.Add("AZURE_TENANT_ID");
        if (client is null) missing.Add("AZURE_CLIENT_ID");
        if (secret is null && certificate is null && tokenFile is null) missing.Add("AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE");
        if (missing.Count > 0)
            throw new CallRecordsException("EnvironmentVariableMissing", ErrorCategory.InvalidArgument,
                "-EnvironmentVariable needs these environment variables, which are not set: " + string.Join("; ", missing) + ".",
                "Set AZURE_TENANT_ID and AZURE_CLIENT_ID, and one of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH (with AZURE_CLIENT_CERTIFICATE_PASSWORD for a protected PFX) or AZURE_FEDERATED_TOKEN_FILE, in the environment of the process that runs PowerShell.");
        if (secret is not null) return ClientSecret(tenant!, client!, ToSecure(secret), "EnvironmentVariable:ClientSecret");
        if (certificate is not null)
        {
            var password = Get("AZURE_CLIENT_CERTIFICATE_PASSWORD") is { } p ? ToSecure(p) : null;
            return ClientCertificateFile(tenant!, client!, certificate, password, "EnvironmentVariable:Certificate");
        }
        return FederatedToken(tenant!, client!, tokenFile!, "EnvironmentVariable:FederatedToken");
    }

    public Exception DescribeFailure(Exception failure, ConnectionSettings settings) =>
        CredentialFailure.Describe(failure, this, settings, _secrets);

    private static void RequireIds(string tenantId, string clientId)
    {
        if (string.IsNullOrWhiteSpace(tenantId))
            throw new CallRecordsException("TenantIdMissing", ErrorCategory.InvalidArgument, "The tenant id is empty.", "Pass the Directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com.");
        if (string.IsNullOrWhiteSpace(clientId))
            throw new CallRecordsException("ClientIdMissing", ErrorCategory.InvalidArgument, "The client id is empty.", "Pass the Application (client) ID of the app registration.");
    }

    private static SecureString ToSecure(string text)
    {
        var s = new SecureString();
        foreach (var c in text) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }
}
