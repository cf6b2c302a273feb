using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.Identity;
using GraphEmulator;
using GraphEmulator.Identity;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Auth;

/// <summary>
/// Every credential flow of Connect-CallRecordGraph end to end: real Azure.Identity against the emulator's identity
/// face, then Get-CallRecord against its Graph face with the token it issued. Connections here are -NoDefault
/// -PassThru, so these tests never touch the process default that the hosted-engine tests rely on.
/// </summary>
[Collection(AuthCollection.Name)]
public sealed class AppOnlyConnectTests(AuthFixture f) : IDisposable
{
    private readonly ClientCertificateFiles _cert = new("CN=CallRecords.PS scheduled task");

    public void Dispose() => _cert.Dispose();

    private const string ListAll = "Get-CallRecord -Connection $c -PageSize 50";

    /// <summary>Connects with the given parameters, lists every record, returns the run and the connection.</summary>
    private (FullRun Run, CallRecordConnection Connection) ConnectAndList(string connectParameters, params (string, object?)[] vars)
    {
        var run = f.Run($"$c = Connect-CallRecordGraph {connectParameters} {f.Endpoints} -NoDefault -PassThru\n$c\n{ListAll}", f.Vars(vars));
        Assert.Empty(run.Errors);
        return (run, Assert.Single(run.Objects<CallRecordConnection>()));
    }

    private void AssertListedEverything(FullRun run, string? tenant = null) =>
        Assert.Equal(f.GroundTruth(tenant), run.Objects<CallRecord>().Select(r => r.Id));

    [Fact]
    public void ClientSecret_connects_and_lists_call_records()
    {
        var (app, secret) = f.RegisterApp();
        var (run, c) = ConnectAndList("-TenantId $tenant -ClientId $client -ClientSecret $secret",
            ("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret)));

        AssertListedEverything(run);
        Assert.Equal(("ClientSecret", app.TenantId, app.ClientId), (c.AuthKind, c.TenantId, c.ClientId));
        Assert.Equal(f.Identity.AuthorityHost, c.AuthorityHost);
        Assert.True(c.TokenExpiresOn > DateTimeOffset.UtcNow.AddMinutes(50));
        Assert.Contains(IdentityTestServer.CallRecordsRole, c.Roles);
        Assert.False(c.IsDefault);
        var request = Assert.Single(f.TokenRequestsOf(app.ClientId));
        Assert.Equal(("client_secret", "https://graph.microsoft.com", 200), (request.CredentialKind, request.Resource, request.StatusCode));
        run.AssertNoSecretOrToken(secret);
    }

    [Fact]
    public void ClientSecretCredential_takes_the_client_id_as_user_name()
    {
        var (app, secret) = f.RegisterApp();
        var credential = new PSCredential(app.ClientId, AuthFixture.Secure(secret));
        var (run, c) = ConnectAndList("-TenantId $tenant -ClientSecretCredential $cred", ("tenant", app.TenantId), ("cred", credential));
        AssertListedEverything(run);
        Assert.Equal(("ClientSecret", app.ClientId), (c.AuthKind, c.ClientId));
        Assert.Equal("client_secret", Assert.Single(f.TokenRequestsOf(app.ClientId)).CredentialKind);
    }

    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    public void CertificatePath_connects_with_a_pfx_or_pem_file(string kind)
    {
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        var (run, c) = ConnectAndList("-TenantId $tenant -ClientId $client -CertificatePath $path",
            ("tenant", app.TenantId), ("client", app.ClientId), ("path", kind == "pfx" ? _cert.PfxPath : _cert.PemPath));
        AssertListedEverything(run);
        Assert.Equal("Certificate", c.AuthKind);
        Assert.Equal("certificate", Assert.Single(f.TokenRequestsOf(app.ClientId)).CredentialKind);
    }

    [Fact]
    public void CertificatePath_with_a_password_protected_pfx()
    {
        const string password = "pfx-pa55word!";
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        var path = Path.Combine(Path.GetTempPath(), $"callrecords-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, _cert.WithPrivateKey.Export(X509ContentType.Pkcs12, password));
        try
        {
            var (run, _) = ConnectAndList("-TenantId $tenant -ClientId $client -CertificatePath $path -CertificatePassword $pw",
                ("tenant", app.TenantId), ("client", app.ClientId), ("path", path), ("pw", AuthFixture.Secure(password)));
            AssertListedEverything(run);
            run.AssertNoSecretOrToken(password);

            // the same file without its password is refused clearly, before any token request
            var before = f.TokenRequestsOf(app.ClientId).Count;
            var refused = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -CertificatePath $path {f.Endpoints} -NoDefault -PassThru",
                f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("path", path)));
            var error = Assert.Single(refused.Errors);
            Assert.Equal("CertificateUnreadable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
            Assert.Contains("-CertificatePassword", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Equal(before, f.TokenRequestsOf(app.ClientId).Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Certificate_object_connects()
    {
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        var (run, c) = ConnectAndList("-TenantId $tenant -ClientId $client -Certificate $cert",
            ("tenant", app.TenantId), ("client", app.ClientId), ("cert", _cert.WithPrivateKey));
        AssertListedEverything(run);
        Assert.Equal("Certificate", c.AuthKind);
    }

    [Fact]
    public void Expired_certificate_is_refused_before_any_token_request()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest("CN=CallRecords.PS expired", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddDays(-1));
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -Certificate $cert {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("cert", expired)));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CertificateExpired,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(expired.Thumbprint, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(f.TokenRequestsOf(app.ClientId));
    }

    [Fact]
    public void Certificate_without_private_key_is_refused()
    {
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -Certificate $cert {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("cert", _cert.PublicOnly)));
        Assert.Equal("CertificateHasNoPrivateKey,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.Empty(f.TokenRequestsOf(app.ClientId));
    }

    [Fact]
    public void CertificateThumbprint_finds_the_certificate_in_the_current_user_store()
    {
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(_cert.WithPrivateKey);
        try
        {
            var (run, c) = ConnectAndList("-TenantId $tenant -ClientId $client -CertificateThumbprint $thumb",
                ("tenant", app.TenantId), ("client", app.ClientId), ("thumb", _cert.WithPrivateKey.Thumbprint.ToLowerInvariant()));
            AssertListedEverything(run);
            Assert.Equal("Certificate", c.AuthKind);
        }
        finally
        {
            store.Remove(_cert.WithPrivateKey);
        }
        var missing = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -CertificateThumbprint $thumb {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("thumb", _cert.WithPrivateKey.Thumbprint)));
        var error = Assert.Single(missing.Errors);
        Assert.Equal("CertificateNotFound,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("CurrentUser\\My", error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FederatedTokenFile_exchanges_a_workload_identity_token()
    {
        const string subject = "repo:contoso/teams-reports:environment:production";
        var (app, _) = f.RegisterApp(federated: [new FederatedIdentityCredential(f.Identity.FederatedIssuer, subject)]);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, f.Identity.MintFederatedToken(subject));
        try
        {
            var (run, c) = ConnectAndList("-TenantId $tenant -ClientId $client -FederatedTokenFile $file",
                ("tenant", app.TenantId), ("client", app.ClientId), ("file", file));
            AssertListedEverything(run);
            Assert.Equal("FederatedToken", c.AuthKind);
            Assert.Equal("federated", Assert.Single(f.TokenRequestsOf(app.ClientId)).CredentialKind);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Federated_token_for_another_subject_is_rejected_with_the_federated_credential_explained()
    {
        var (app, _) = f.RegisterApp(federated: [new FederatedIdentityCredential(f.Identity.FederatedIssuer, "repo:contoso/reports:ref:refs/heads/main")]);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, f.Identity.MintFederatedToken("repo:contoso/reports:pull_request"));
        try
        {
            var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -FederatedTokenFile $file {f.Endpoints} -NoDefault -PassThru",
                f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("file", file)));
            var error = Assert.Single(run.Errors);
            Assert.Equal("FederatedTokenRejected,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
            Assert.Contains("AADSTS70021", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Contains("subject", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            run.AssertNoSecretOrToken();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Fifty_cmdlet_calls_on_one_connection_make_exactly_one_token_request()
    {
        var (app, secret) = f.RegisterApp();
        var run = f.Run($$"""
            $c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {{f.Endpoints}} -NoDefault -PassThru
            1..50 | ForEach-Object { Get-CallRecord -Connection $c -First 1 -Skip $_ }
            """, f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Empty(run.Errors);
        Assert.Equal(f.GroundTruth().Skip(1).Take(50), run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Single(f.TokenRequestsOf(app.ClientId));
    }

    [Fact]
    public void A_long_stream_continues_across_token_refreshes()
    {
        var (app, secret) = f.RegisterApp();
        f.Identity.TokenLifetime = TimeSpan.FromSeconds(3);
        f.Host.Control.LatencyMs = 150;
        f.Host.ClearRequests();
        try
        {
            // 120 records in pages of 4: 30 pages of at least 150 ms each outlast several 3-second tokens.
            var run = f.Run($"""
                $c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru
                Get-CallRecord -Connection $c -PageSize 4
                """, f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));

            Assert.Empty(run.Errors);
            AssertListedEverything(run);
            var tokens = f.TokenRequestsOf(app.ClientId);
            Assert.True(tokens.Count >= 2, $"expected refreshes during the stream, saw {tokens.Count} token request(s)");
            Assert.All(tokens, t => Assert.Equal(200, t.StatusCode));
            // Logged on arrival and completed before the answer: the log is complete once the cmdlet has returned.
            var pages = f.Host.Requests.Where(r => r.Route == Routes.ListCallRecords && r.AppId == app.ClientId).ToList();
            Assert.Equal(30, pages.Count);
            Assert.All(pages, p => Assert.Equal(200, p.Status));
        }
        finally
        {
            f.Identity.TokenLifetime = TimeSpan.FromHours(1);
            f.Host.Control.LatencyMs = 0;
        }
    }

    [Fact]
    public void Wrong_secret_gives_a_clear_error_that_never_echoes_the_secret()
    {
        var (app, _) = f.RegisterApp();
        const string wrong = "wr0ng-s3cret-value~xyz";
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru -Verbose -Debug",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(wrong))));
        var error = Assert.Single(run.Errors);
        Assert.Equal("InvalidClientSecret,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("AADSTS7000215", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains(app.ClientId, error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("Secret ID", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Empty(run.Objects<CallRecordConnection>());
        run.AssertNoSecretOrToken(wrong, "wr0ng-s3cret");
    }

    [Fact]
    public void Unknown_tenant_gives_a_clear_error()
    {
        var (app, secret) = f.RegisterApp();
        var unknown = Guid.NewGuid().ToString();
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", unknown), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        var error = Assert.Single(run.Errors);
        Assert.Equal("TenantNotFound,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("AADSTS90002", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains(unknown, error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("-Environment", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        run.AssertNoSecretOrToken(secret);
    }

    [Theory]
    [InlineData("garbage.pfx", "not a certificate at all")]
    [InlineData("only-cert.pem", null)]
    [InlineData("missing.pfx", "")]
    public void Unreadable_certificate_gives_a_clear_error(string name, string? content)
    {
        var (app, _) = f.RegisterApp(certificate: _cert.PublicOnly);
        var dir = Directory.CreateTempSubdirectory("callrecords-cert-").FullName;
        var path = Path.Combine(dir, name);
        if (content is null) File.WriteAllText(path, _cert.PublicPem);
        else if (content.Length > 0) File.WriteAllText(path, content);
        try
        {
            var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -CertificatePath $path {f.Endpoints} -NoDefault -PassThru",
                f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("path", path)));
            var error = Assert.Single(run.Errors);
            Assert.Equal((content == "" ? "CertificateNotFound" : "CertificateUnreadable") + ",CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
            Assert.Contains(path, error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
            Assert.Empty(f.TokenRequestsOf(app.ClientId));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void App_without_application_roles_is_refused_with_the_permission_explained()
    {
        var (app, secret) = f.RegisterApp(roles: []);
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        var error = Assert.Single(run.Errors);
        Assert.Equal("AccessTokenHasNoApplicationRoles,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("CallRecords.Read.All application permission", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("admin consent", error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void App_with_other_roles_only_is_warned_about_the_missing_permission()
    {
        var (app, secret) = f.RegisterApp(roles: ["User.Read.All"]);
        var run = f.Run($"$c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru; Get-CallRecord -Connection $c -First 1",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Contains(run.Warnings, w => w.Contains("CallRecords.Read.All", StringComparison.Ordinal));
        Assert.Equal("GraphPermissionDenied,CallRecords.Cmdlets.GetCallRecordCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public async Task Two_tenants_interleaved_each_return_their_own_records()
    {
        var otherTenant = Guid.NewGuid().ToString();
        await f.Host.AddTenantAsync(otherTenant, seed: 77, records: 40);
        var (a, secretA) = f.RegisterApp();
        var (b, secretB) = f.RegisterApp(tenantId: otherTenant);
        var run = f.Run($$"""
            $a = Connect-CallRecordGraph -TenantId $ta -ClientId $ca -ClientSecret $sa {{f.Endpoints}} -NoDefault -PassThru
            $b = Connect-CallRecordGraph -TenantId $tb -ClientId $cb -ClientSecret $sb {{f.Endpoints}} -NoDefault -PassThru
            foreach ($i in 0..4) {
                Get-CallRecord -Connection $a -First 3 -Skip ($i * 3) | ForEach-Object { [pscustomobject]@{ Tenant = 'a'; Id = $_.Id } }
                Get-CallRecord -Connection $b -First 3 -Skip ($i * 3) | ForEach-Object { [pscustomobject]@{ Tenant = 'b'; Id = $_.Id } }
            }
            """, f.Vars(("ta", a.TenantId), ("ca", a.ClientId), ("sa", AuthFixture.Secure(secretA)),
                ("tb", b.TenantId), ("cb", b.ClientId), ("sb", AuthFixture.Secure(secretB))));
        Assert.Empty(run.Errors);
        string[] Ids(string tenant) => run.Output.Where(o => (string)o.Properties["Tenant"].Value == tenant).Select(o => (string)o.Properties["Id"].Value).ToArray();
        Assert.Equal(f.GroundTruth().Take(15), Ids("a"));
        Assert.Equal(f.GroundTruth(otherTenant).Take(15), Ids("b"));
        Assert.Empty(f.GroundTruth().Intersect(f.GroundTruth(otherTenant)));
        Assert.Single(f.TokenRequestsOf(a.ClientId));
        Assert.Single(f.TokenRequestsOf(b.ClientId));
    }

    [Fact]
    public async Task Parallel_runspaces_share_one_connection_and_its_token()
    {
        var (app, secret) = f.RegisterApp();
        var connect = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        var connection = Assert.Single(connect.Objects<CallRecordConnection>());

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            f.Run("Get-CallRecord -Connection $c -PageSize 7", f.Vars(("c", connection))))));

        Assert.All(runs, run =>
        {
            Assert.Empty(run.Errors);
            Assert.Equal(f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
        });
        Assert.Single(f.TokenRequestsOf(app.ClientId));
    }

    [Fact]
    public void NoDefault_needs_PassThru()
    {
        var (app, secret) = f.RegisterApp();
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Equal("NoDefaultWithoutPassThru,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.Empty(f.TokenRequestsOf(app.ClientId));
    }
}
