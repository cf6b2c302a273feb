using System.Net;
using System.Net.Sockets;
using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.Identity;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Auth;

/// <summary>
/// Issue #18 against the identity face: sign-in honours -Timeout and -MaxRetry (a stalling authority, a refused one,
/// a closed or silent managed identity endpoint) and says AuthorityUnreachable with the address, in our words; a
/// failed connect leaves no default; a connection whose credential is refused at renewal stops being the default;
/// credential inputs that cannot work are refused by name. They touch process environment variables and the process
/// default connection, so they run alone (see <see cref="ProcessEnvironmentCollection"/>).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SignInFailSafeTests(AuthFixture f) : IClassFixture<AuthFixture>, IDisposable
{
    public void Dispose()
    {
        f.Identity.StallTokenRequests = false;
        f.Identity.TokenLifetime = TimeSpan.FromHours(1);
        f.Run("Disconnect-CallRecordGraph -ErrorAction SilentlyContinue");
    }

    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Runs a connect that must end by itself; a hang fails the test (a guard, not a timing assertion).</summary>
    private FullRun RunBounded(string script, Dictionary<string, object?> vars)
    {
        var run = Task.Run(() => f.Run(script, vars));
        Assert.True(run.Wait(TimeSpan.FromSeconds(90)), "Connect-CallRecordGraph did not return within 90 s.");
        return run.Result;
    }

    private static void AssertOurWords(string message)
    {
        // The SDK's advice names options a PowerShell user does not have; one refusal is said once.
        Assert.DoesNotContain("ClientOptions", message, StringComparison.Ordinal);
        Assert.DoesNotContain("NetworkTimeout", message, StringComparison.Ordinal);
        Assert.DoesNotContain("troubleshoot", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stalling_authority_is_given_up_after_one_attempt_of_Timeout_as_AuthorityUnreachable()
    {
        var (app, secret) = f.RegisterApp();
        f.Identity.StallTokenRequests = true;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var run = RunBounded($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -Timeout 2 -MaxRetry 0 -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        watch.Stop();

        var error = Assert.Single(run.Errors);
        Assert.Equal("AuthorityUnreachable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        var message = error.ErrorDetails.Message;
        Assert.Contains(f.Identity.AuthorityHost.GetLeftPart(UriPartial.Authority), message, StringComparison.Ordinal);
        Assert.Contains("no answer within the timeout", message, StringComparison.Ordinal);
        Assert.Contains("1 attempt, each allowed 2 s", message, StringComparison.Ordinal);
        AssertOurWords(message);
        // -MaxRetry 0: the authority saw exactly one token request from this app.
        var requests = f.TokenRequestsOf(app.ClientId);
        Assert.Single(requests);
        Assert.Equal(0, requests[0].StatusCode);
        run.AssertNoSecretOrToken(secret);
        Console.WriteLine($"stalling authority, -Timeout 2 -MaxRetry 0: failed after {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void A_stalling_authority_with_retries_gets_exactly_MaxRetry_more_attempts()
    {
        var (app, secret) = f.RegisterApp();
        f.Identity.StallTokenRequests = true;
        var run = RunBounded($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -Timeout 1 -MaxRetry 2 -RetryDelay 0 -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Equal("AuthorityUnreachable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.Contains("3 attempts", run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(3, f.TokenRequestsOf(app.ClientId).Count);
    }

    [Fact]
    public void A_refused_authority_is_AuthorityUnreachable_said_once()
    {
        var (app, secret) = f.RegisterApp();
        var closed = new Uri($"https://127.0.0.1:{ClosedPort()}");
        var run = RunBounded("Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret -GraphEndpoint $graph -AuthorityHost $closed -MaxRetry 0 -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret)), ("closed", closed)));

        var error = Assert.Single(run.Errors);
        Assert.Equal("AuthorityUnreachable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        var message = error.ErrorDetails.Message;
        Assert.Contains(closed.GetLeftPart(UriPartial.Authority), message, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(message, "refused", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Contains("1 attempt", message, StringComparison.Ordinal);
        AssertOurWords(message);
        Assert.Equal(closed.GetLeftPart(UriPartial.Authority), error.TargetObject);
    }

    [Fact]
    public void A_closed_managed_identity_endpoint_is_AuthorityUnreachable_naming_it()
    {
        var endpoint = $"http://127.0.0.1:{ClosedPort()}/msi/token";
        using var env = new EnvironmentScope(("IDENTITY_ENDPOINT", endpoint), ("IDENTITY_HEADER", "header-value"),
            ("IDENTITY_SERVER_THUMBPRINT", null), ("IMDS_ENDPOINT", null), ("MSI_ENDPOINT", null), ("MSI_SECRET", null));
        var run = RunBounded("Connect-CallRecordGraph -ManagedIdentity -ClientId $client -GraphEndpoint $graph -Timeout 2 -MaxRetry 0 -NoDefault -PassThru",
            f.Vars(("client", Guid.NewGuid().ToString())));

        var error = Assert.Single(run.Errors);
        Assert.Equal("AuthorityUnreachable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("managed identity endpoint " + endpoint, error.ErrorDetails.Message, StringComparison.Ordinal);
        AssertOurWords(error.ErrorDetails.Message);
    }

    [Fact]
    public void A_silent_managed_identity_endpoint_is_given_up_within_the_time_Timeout_allows()
    {
        var clientId = Guid.NewGuid().ToString();
        f.Identity.RegisterManagedIdentity(f.DefaultTenant, clientId, [IdentityTestServer.CallRecordsRole]);
        using var env = new EnvironmentScope(("IDENTITY_ENDPOINT", f.Identity.ManagedIdentityEndpoint.ToString()), ("IDENTITY_HEADER", f.Identity.ManagedIdentityHeader),
            ("IDENTITY_SERVER_THUMBPRINT", null), ("IMDS_ENDPOINT", null), ("MSI_ENDPOINT", null), ("MSI_SECRET", null));
        f.Identity.StallTokenRequests = true;
        var run = RunBounded("Connect-CallRecordGraph -ManagedIdentity -ClientId $client -GraphEndpoint $graph -Timeout 2 -MaxRetry 0 -NoDefault -PassThru",
            f.Vars(("client", clientId)));

        var error = Assert.Single(run.Errors);
        Assert.Equal("AuthorityUnreachable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("no answer within the timeout", error.ErrorDetails.Message, StringComparison.Ordinal);
        // MSAL's managed identity client retries outside Azure.Core's pipeline (six requests over ~25 s before); the
        // connection's time budget (one -Timeout plus a second) leaves room for at most its first immediate retry.
        Assert.InRange(f.TokenRequestsOf(clientId).Count, 1, 2);
    }

    [Fact]
    public void A_wrong_secret_for_tenant_B_leaves_no_default_so_tenant_A_is_not_read()
    {
        var (a, secretA) = f.RegisterApp();
        var (b, _) = f.RegisterApp(tenantId: "8f3a1d2c-5b6e-4f70-9a81-b2c3d4e5f607");
        var run = f.Run($"""
            Connect-CallRecordGraph -TenantId $ta -ClientId $ca -ClientSecret $sa {f.Endpoints}
            Connect-CallRecordGraph -TenantId $tb -ClientId $cb -ClientSecret $wrong {f.Endpoints}
            Get-CallRecord -First 50
            """, f.Vars(("ta", a.TenantId), ("ca", a.ClientId), ("sa", AuthFixture.Secure(secretA)), ("tb", b.TenantId), ("cb", b.ClientId),
            ("wrong", AuthFixture.Secure("wrong-" + Guid.NewGuid()))));

        Assert.Empty(run.Output);
        Assert.Equal(new[] { "InvalidClientSecret", "NotConnected" }, run.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains("No connection is the default now", run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains(a.TenantId, run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal); // which connection was set aside
        Assert.Contains("failed (InvalidClientSecret)", run.Errors[1].ErrorDetails.Message, StringComparison.Ordinal);
        run.AssertNoSecretOrToken(secretA);
    }

    [Fact]
    public void A_connection_whose_app_was_deleted_stops_being_the_default_at_its_next_renewal()
    {
        var (app, secret) = f.RegisterApp();
        f.Identity.TokenLifetime = TimeSpan.FromSeconds(2);
        var connect = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Empty(connect.Errors);
        var connection = Assert.Single(connect.Objects<CallRecordConnection>());
        Assert.True(f.Identity.RemoveApp(app.ClientId));

        // Requests keep using the current token until it needs renewing (about a second); the renewal is refused.
        FullRun? failed = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (failed is null)
        {
            var run = f.Run("Get-CallRecord -First 1");
            if (run.Errors.Count > 0) failed = run;
            else Assert.True(DateTime.UtcNow < deadline, "The connection still read records 30 s after its app was deleted.");
        }
        Assert.Equal("ApplicationNotFound,CallRecords.Cmdlets.GetCallRecordCommand", Assert.Single(failed.Errors).FullyQualifiedErrorId);
        Assert.False(connection.IsDefault);
        var after = f.Run("Get-CallRecord -First 1");
        Assert.Equal("NotConnected,CallRecords.Cmdlets.GetCallRecordCommand", Assert.Single(after.Errors).FullyQualifiedErrorId);
        Assert.Contains("could not be renewed (ApplicationNotFound)", after.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Empty(after.Output);
    }

    [Fact]
    public void A_federated_token_file_that_holds_no_token_is_FederatedTokenMalformed()
    {
        var (app, _) = f.RegisterApp();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "this is not a token");
            var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -FederatedTokenFile $file {f.Endpoints} -NoDefault -PassThru",
                f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("file", file)));
            var error = Assert.Single(run.Errors);
            Assert.Equal("FederatedTokenMalformed,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
            Assert.Contains("JSON Web Token", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Empty(f.TokenRequestsOf(app.ClientId));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_certificate_path_that_is_a_folder_is_CertificatePathIsFolder()
    {
        var (app, _) = f.RegisterApp();
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -CertificatePath $dir {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("dir", Path.GetTempPath())));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CertificatePathIsFolder,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.DoesNotContain("denied", error.ErrorDetails.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("zz'zz")]
    [InlineData("3F2A")]
    [InlineData("3F2A1B0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4G")]
    public void A_thumbprint_that_is_not_40_hex_digits_is_CertificateThumbprintMalformed_and_shown(string thumbprint)
    {
        var (app, _) = f.RegisterApp();
        var run = f.Run($"Connect-CallRecordGraph -TenantId $tenant -ClientId $client -CertificateThumbprint $tp {f.Endpoints} -NoDefault -PassThru",
            f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("tp", thumbprint)));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CertificateThumbprintMalformed,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("'" + thumbprint + "'", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(thumbprint, error.TargetObject);
    }
}
