using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.Identity;
using GraphEmulator.Identity;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Auth;

/// <summary>
/// Flows configured by process environment variables: -EnvironmentVariable (AZURE_*) and -ManagedIdentity (App
/// Service / Azure Automation's IDENTITY_ENDPOINT and IDENTITY_HEADER). They run alone (the collection disables
/// parallelization) and restore every variable they set.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class EnvironmentConnectTests(AuthFixture f) : IClassFixture<AuthFixture>
{
    private static readonly string[] AzureVariables =
        ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE"];

    private static EnvironmentScope Azure(params (string Name, string? Value)[] set) =>
        new(AzureVariables.Select(n => (n, set.FirstOrDefault(s => s.Name == n).Value)).ToArray());

    private FullRun ConnectAndList(string parameters) =>
        f.Run($"$c = Connect-CallRecordGraph {parameters} {f.Endpoints} -NoDefault -PassThru\n$c\nGet-CallRecord -Connection $c -PageSize 60", f.Vars());

    private FullRun Connect(string parameters) =>
        f.Run($"Connect-CallRecordGraph {parameters} {f.Endpoints} -NoDefault -PassThru", f.Vars());

    [Fact]
    public void EnvironmentVariable_with_a_client_secret()
    {
        var (app, secret) = f.RegisterApp();
        using var env = Azure(("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_ID", app.ClientId), ("AZURE_CLIENT_SECRET", secret));
        var run = ConnectAndList("-EnvironmentVariable");
        Assert.Empty(run.Errors);
        Assert.Equal(f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
        var c = Assert.Single(run.Objects<CallRecordConnection>());
        Assert.Equal(("EnvironmentVariable:ClientSecret", app.ClientId), (c.AuthKind, c.ClientId));
        Assert.Single(f.TokenRequestsOf(app.ClientId));
        run.AssertNoSecretOrToken(secret);
    }

    [Fact]
    public void EnvironmentVariable_with_a_certificate_path()
    {
        using var cert = new ClientCertificateFiles();
        var (app, _) = f.RegisterApp(certificate: cert.PublicOnly);
        using var env = Azure(("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_ID", app.ClientId), ("AZURE_CLIENT_CERTIFICATE_PATH", cert.PemPath));
        var run = ConnectAndList("-EnvironmentVariable");
        Assert.Empty(run.Errors);
        Assert.Equal(f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Equal("certificate", Assert.Single(f.TokenRequestsOf(app.ClientId)).CredentialKind);
    }

    [Fact]
    public void EnvironmentVariable_with_a_federated_token_file()
    {
        const string subject = "system:serviceaccount:teams:callrecords-export";
        var (app, _) = f.RegisterApp(federated: [new FederatedIdentityCredential(f.Identity.FederatedIssuer, subject)]);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, f.Identity.MintFederatedToken(subject));
        try
        {
            using var env = Azure(("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_ID", app.ClientId), ("AZURE_FEDERATED_TOKEN_FILE", file));
            var run = ConnectAndList("-EnvironmentVariable");
            Assert.Empty(run.Errors);
            Assert.Equal(f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
            Assert.Equal("federated", Assert.Single(f.TokenRequestsOf(app.ClientId)).CredentialKind);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Missing_environment_variable_is_named()
    {
        var (app, secret) = f.RegisterApp();
        using var env = Azure(("AZURE_TENANT_ID", app.TenantId), ("AZURE_CLIENT_SECRET", secret));
        var run = Connect("-EnvironmentVariable");
        var error = Assert.Single(run.Errors);
        Assert.Equal("EnvironmentVariableMissing,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("AZURE_CLIENT_ID", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AZURE_TENANT_ID", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Empty(f.TokenRequestsOf(app.ClientId));
        run.AssertNoSecretOrToken(secret);
    }

    private EnvironmentScope AppService() => new(
        ("IDENTITY_ENDPOINT", f.Identity.ManagedIdentityEndpoint.ToString()), ("IDENTITY_HEADER", f.Identity.ManagedIdentityHeader),
        ("IDENTITY_SERVER_THUMBPRINT", null), ("IMDS_ENDPOINT", null), ("MSI_ENDPOINT", null), ("MSI_SECRET", null));

    [Fact]
    public void ManagedIdentity_user_assigned_connects_and_lists()
    {
        // A fresh client id: MSAL caches managed identity tokens process-wide per identity and resource.
        var clientId = Guid.NewGuid().ToString();
        f.Identity.RegisterManagedIdentity(f.DefaultTenant, clientId, [IdentityTestServer.CallRecordsRole]);
        using var env = AppService();
        var run = ConnectAndList("-ManagedIdentity -ClientId $client".Replace("$client", "'" + clientId + "'"));
        Assert.Empty(run.Errors);
        Assert.Equal(f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
        var c = Assert.Single(run.Objects<CallRecordConnection>());
        Assert.Equal(("ManagedIdentity", f.DefaultTenant, clientId), (c.AuthKind, c.TenantId, c.ClientId));
        var request = Assert.Single(f.TokenRequestsOf(clientId));
        Assert.Equal(("managed_identity", "user_assigned"), (request.Endpoint, request.CredentialKind));
        run.AssertNoSecretOrToken(f.Identity.ManagedIdentityHeader);
    }

    [Fact]
    public void ManagedIdentity_system_assigned_takes_tenant_and_app_from_the_token()
    {
        var appId = f.Identity.RegisterManagedIdentity(f.DefaultTenant, null, [IdentityTestServer.CallRecordsRole]);
        using var env = AppService();
        var run = ConnectAndList("-ManagedIdentity");
        Assert.Empty(run.Errors);
        Assert.Equal(f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
        var c = Assert.Single(run.Objects<CallRecordConnection>());
        Assert.Equal(("ManagedIdentity", f.DefaultTenant, appId), (c.AuthKind, c.TenantId, c.ClientId));
    }

    [Fact]
    public void ManagedIdentity_that_is_not_there_gives_a_clear_error()
    {
        using var env = AppService();
        var unknown = Guid.NewGuid().ToString();
        var run = Connect($"-ManagedIdentity -ClientId '{unknown}'");
        var error = Assert.Single(run.Errors);
        Assert.Equal("ManagedIdentityFailed,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("No User Assigned or Delegated Managed Identity found", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("-ClientId", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        run.AssertNoSecretOrToken(f.Identity.ManagedIdentityHeader);
    }
}
