using Azure.Core;
using Azure.Identity;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

/// <summary>Credentials configured by environment variables: managed identity (App Service's IDENTITY_ENDPOINT /
/// IDENTITY_HEADER), EnvironmentCredential (AZURE_*), WorkloadIdentityCredential (AZURE_FEDERATED_TOKEN_FILE).</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class EnvironmentDrivenCredentialTests(IdentityServerFixture fx) : IClassFixture<IdentityServerFixture>
{
    // MSAL keeps managed identity tokens in a process-wide cache keyed by identity and resource, shared by every
    // ManagedIdentityCredential. Each test asks for its own resource so no token from another test (or another
    // emulator instance in this process) can be served from that cache.
    private static string UniqueResource() => $"api://identity-tests-{Guid.NewGuid():N}";

    private EnvironmentScope AppService() => new(
        ("IDENTITY_ENDPOINT", fx.Server.ManagedIdentityEndpoint.ToString()),
        ("IDENTITY_HEADER", fx.Server.ManagedIdentityHeader),
        ("IDENTITY_SERVER_THUMBPRINT", null), ("IMDS_ENDPOINT", null), ("MSI_ENDPOINT", null), ("MSI_SECRET", null));

    [Fact]
    public async Task System_assigned_managed_identity_gets_a_token()
    {
        var tenant = Guid.NewGuid().ToString();
        var appId = fx.Server.RegisterManagedIdentity(tenant, null, [IdentityTestServer.CallRecordsRole]);
        var resource = UniqueResource();
        using var env = AppService();

        var token = await new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            .GetTokenAsync(new TokenRequestContext([resource + "/.default"]), default);

        TokenAssert.AppToken(token.Token, fx.Issuer, tenant, appId, resource);
        var entry = Assert.Single(fx.Server.TokenRequests, r => r.Resource == resource);
        Assert.Equal(("managed_identity", "system_assigned", 200), (entry.Endpoint, entry.CredentialKind, entry.StatusCode));
        Assert.Contains(fx.Server.Requests, r => r.StartsWith("GET /msi/token?api-version=2019-08-01&resource=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task User_assigned_managed_identity_gets_a_token_for_its_client_id()
    {
        var tenant = Guid.NewGuid().ToString();
        var clientId = Guid.NewGuid().ToString();
        fx.Server.RegisterManagedIdentity(tenant, clientId, [IdentityTestServer.CallRecordsRole, "User.Read.All"]);
        var resource = UniqueResource();
        using var env = AppService();

        var token = await new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            .GetTokenAsync(new TokenRequestContext([resource + "/.default"]), default);

        TokenAssert.AppToken(token.Token, fx.Issuer, tenant, clientId, resource, IdentityTestServer.CallRecordsRole, "User.Read.All");
        Assert.Equal("user_assigned", Assert.Single(fx.Server.TokenRequests, r => r.Resource == resource).CredentialKind);
    }

    [Fact]
    public async Task Unknown_user_assigned_identity_fails()
    {
        var unknown = Guid.NewGuid().ToString();
        var resource = UniqueResource();
        using var env = AppService();
        var e = await Assert.ThrowsAnyAsync<AuthenticationFailedException>(() =>
            new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(unknown))
                .GetTokenAsync(new TokenRequestContext([resource + "/.default"]), default).AsTask());
        Assert.Contains("No User Assigned or Delegated Managed Identity found", e.ToString());
        Assert.Equal(400, Assert.Single(fx.Server.TokenRequests, r => r.Resource == resource).StatusCode);
    }

    [Fact]
    public async Task Wrong_identity_header_is_rejected_without_echoing_it()
    {
        fx.Server.RegisterManagedIdentity(Guid.NewGuid().ToString(), null, [IdentityTestServer.CallRecordsRole]);
        var resource = UniqueResource();
        const string wrongHeader = "not-the-identity-header-value";
        using var env = AppService();
        using var wrong = new EnvironmentScope(("IDENTITY_HEADER", wrongHeader));
        var e = await Assert.ThrowsAnyAsync<AuthenticationFailedException>(() =>
            new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                .GetTokenAsync(new TokenRequestContext([resource + "/.default"]), default).AsTask());
        Assert.DoesNotContain(wrongHeader, e.ToString());
        Assert.DoesNotContain(fx.Server.ManagedIdentityHeader, e.ToString());
        Assert.Equal(401, Assert.Single(fx.Server.TokenRequests, r => r.Resource == resource).StatusCode);
    }

    [Fact]
    public async Task EnvironmentCredential_with_client_secret()
    {
        const string secret = "env-secret~value.1";
        var app = fx.RegisterApp(secret: secret);
        using var env = new EnvironmentScope(
            ("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_ID", app.ClientId), ("AZURE_CLIENT_SECRET", secret),
            ("AZURE_CLIENT_CERTIFICATE_PATH", null), ("AZURE_AUTHORITY_HOST", fx.Server.AuthorityHost.ToString()));

        var token = await new EnvironmentCredential(new EnvironmentCredentialOptions { DisableInstanceDiscovery = true })
            .GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);

        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
        Assert.Equal("client_secret", Assert.Single(fx.RequestsOf(app)).CredentialKind);
    }

    [Fact]
    public async Task EnvironmentCredential_with_certificate_path()
    {
        using var cert = new ClientCertificateFiles();
        var app = fx.RegisterApp(certificate: cert.PublicOnly);
        using var env = new EnvironmentScope(
            ("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_ID", app.ClientId), ("AZURE_CLIENT_SECRET", null),
            ("AZURE_CLIENT_CERTIFICATE_PATH", cert.PemPath), ("AZURE_AUTHORITY_HOST", fx.Server.AuthorityHost.ToString()));

        var token = await new EnvironmentCredential(new EnvironmentCredentialOptions { DisableInstanceDiscovery = true })
            .GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);

        TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
        Assert.Equal("certificate", Assert.Single(fx.RequestsOf(app)).CredentialKind);
    }

    [Fact]
    public async Task EnvironmentCredential_without_variables_is_unavailable()
    {
        using var env = new EnvironmentScope(
            ("AZURE_TENANT_ID", null), ("AZURE_CLIENT_ID", null), ("AZURE_CLIENT_SECRET", null),
            ("AZURE_CLIENT_CERTIFICATE_PATH", null), ("AZURE_USERNAME", null), ("AZURE_PASSWORD", null));
        var before = fx.Server.TokenRequestCount;
        var e = await Assert.ThrowsAsync<CredentialUnavailableException>(() =>
            new EnvironmentCredential().GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default).AsTask());
        Assert.Contains("Environment variables are not fully configured", ExceptionText.Of(e));
        Assert.Equal(before, fx.Server.TokenRequestCount);
    }

    [Fact]
    public async Task WorkloadIdentityCredential_from_environment()
    {
        const string subject = "system:serviceaccount:reports:callrecords";
        var app = fx.RegisterApp(federated: [new FederatedIdentityCredential(fx.Server.FederatedIssuer, subject)]);
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, fx.Server.MintFederatedToken(subject));
            using var env = new EnvironmentScope(
                ("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_ID", app.ClientId), ("AZURE_FEDERATED_TOKEN_FILE", file),
                ("AZURE_AUTHORITY_HOST", fx.Server.AuthorityHost.ToString()));

            var token = await new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { DisableInstanceDiscovery = true })
                .GetTokenAsync(new TokenRequestContext([IdentityTestServer.GraphScope]), default);

            TokenAssert.AppToken(token.Token, fx.Issuer, app.TenantId, app.ClientId, "https://graph.microsoft.com");
            Assert.Equal("federated", Assert.Single(fx.RequestsOf(app)).CredentialKind);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
