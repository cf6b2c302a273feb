using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Models;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class ConnectionTests
{
    private readonly EngineFixture _f;

    public ConnectionTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Reset();
        _f.Reset(_f.Other);
    }

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void NotConnectedSaysToRunConnectAndSendsNothing()
    {
        var run = _f.Run("Disconnect-CallRecordGraph; Get-CallRecord -First 1");
        var error = Assert.Single(run.Errors);
        Assert.Equal("NotConnected,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Connect-CallRecordGraph", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("Connect-CallRecordGraph", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Empty(_f.Host.Requests);
        Assert.Empty(_f.Run("Get-CallRecordConnection").Output);
    }

    [Fact]
    public void ConnectionParameterBeatsTheDefault()
    {
        var run = _f.Run("""
            $other = Connect-CallRecordGraph -AccessToken $otherToken -GraphEndpoint $otherEndpoint -PassThru
            Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint
            Get-CallRecord -Connection $other -First 3
            """, Vars(("otherToken", _f.Token(_f.Other)), ("otherEndpoint", _f.Other.BaseAddress), ("token", _f.Token()), ("endpoint", _f.Host.BaseAddress)));

        Assert.Empty(run.Errors);
        Assert.Equal(_f.Retained(_f.Other).Take(3).Select(r => r.Id), run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Equal(1, EngineFixture.Count(_f.Other, Routes.ListCallRecords));
        Assert.Equal(0, EngineFixture.Count(_f.Host, Routes.ListCallRecords));

        // and the default still goes to the main emulator
        var byDefault = _f.Run("Get-CallRecord -First 1");
        Assert.Equal(_f.Retained()[0].Id, Assert.Single(byDefault.Objects<CallRecord>()).Id);
    }

    [Fact]
    public void GetCallRecordConnectionDescribesTheConnectionWithoutTheToken()
    {
        var token = _f.Host.MintToken(appId: "5e3ce6c0-2b1f-4285-8d4b-75ee78787346");
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep -ApiVersion beta; Get-CallRecordConnection",
            Vars(("t", EngineFixture.Secure(token)), ("ep", _f.Host.BaseAddress)));
        Assert.Empty(run.Errors);
        var c = Assert.Single(run.Objects<CallRecordConnection>());
        Assert.Equal("AccessToken", c.AuthKind);
        Assert.Equal(_f.Host.Options.TenantId, c.TenantId);
        Assert.Equal("5e3ce6c0-2b1f-4285-8d4b-75ee78787346", c.ClientId);
        Assert.Equal("beta", c.ApiVersion);
        Assert.Equal(_f.Host.BaseAddress, c.GraphEndpoint);
        Assert.True(c.TokenExpiresOn > DateTimeOffset.UtcNow);
        Assert.Contains("CallRecords.Read.All", c.Roles);
        Assert.True(c.IsDefault);
        var text = string.Join("|", run.Output[0].Properties.Select(p => p.Value?.ToString()));
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);

        // beta connection sends to /beta
        _f.Run("Get-CallRecord -First 1");
        Assert.StartsWith("/beta/", Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords)).PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public void DelegatedTokenIsRefusedWithTheApplicationPermissionExplained()
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep",
            Vars(("t", _f.Token(delegated: true)), ("ep", _f.Host.BaseAddress)));
        var error = Assert.Single(run.Errors);
        Assert.Equal("AccessTokenHasNoApplicationRoles,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Contains("CallRecords.Read.All application permission", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("admin consent", error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedTokenIsRefused()
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep", Vars(("t", EngineFixture.Secure("not-a-jwt")), ("ep", _f.Host.BaseAddress)));
        Assert.Equal("AccessTokenMalformed,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void PlainHttpToANonLoopbackHostIsRefused()
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint 'http://graph.example.com'", Vars(("t", _f.Token())));
        Assert.Equal("InvalidGraphEndpoint,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void TokenWithoutTheCallRecordsRoleWarnsAndGraphsRefusalExplainsThePermission()
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep; Get-CallRecord -First 1",
            Vars(("t", _f.Token(roles: new[] { "User.Read.All" })), ("ep", _f.Host.BaseAddress)));
        Assert.Contains(run.Warnings, w => w.Contains("CallRecords.Read.All", StringComparison.Ordinal));
        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphPermissionDenied,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Contains("admin consent", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        var logged = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Equal(403, logged.Status);
        Assert.Contains("request-id: " + logged.RequestId, error.ErrorDetails.Message, StringComparison.Ordinal);
        _f.Connect();
    }

    [Fact]
    public void DisconnectClosesAPassedThroughConnection()
    {
        var run = _f.Run("""
            $c = Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep -PassThru
            Disconnect-CallRecordGraph -Connection $c
            Get-CallRecord -Connection $c -First 1
            """, Vars(("t", _f.Token()), ("ep", _f.Host.BaseAddress)));
        Assert.Equal("ConnectionClosed,CallRecords.Cmdlets.GetCallRecordCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.Equal(0, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void ManifestPassesTestModuleManifest()
    {
        var run = _f.Run("Test-ModuleManifest -Path $p", Vars(("p", EngineFixture.ModuleManifest)));
        Assert.Empty(run.Errors);
        var module = Assert.Single(run.Objects<PSModuleInfo>());
        Assert.Equal("CallRecords", module.Name);
    }
}
