using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using Xunit;

namespace CallRecords.PS.Tests.Auth;

/// <summary>Credential flows and the process default connection (so in the hosted-engine collection, whose tests
/// share that default): -NoDefault, Get-CallRecordConnection, and no secret or token in any stream with -Verbose and
/// -Debug on every cmdlet.</summary>
[Collection(EngineCollection.Name)]
public sealed class DefaultConnectionAuthTests(EngineFixture engine, AuthFixture f) : IClassFixture<AuthFixture>, IDisposable
{
    // Leave the default as the other hosted-engine tests expect it.
    public void Dispose() => engine.Connect();

    [Fact]
    public void NoDefault_leaves_the_default_connection_alone()
    {
        engine.Connect();
        var (app, secret) = f.RegisterApp();
        var run = f.Run($"""
            $before = Get-CallRecordConnection
            $c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {f.Endpoints} -NoDefault -PassThru
            [object]::ReferenceEquals($before, (Get-CallRecordConnection))
            $c.IsDefault
            """, f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));
        Assert.Empty(run.Errors);
        Assert.Equal([true, false], run.Output.Select(o => (bool)o.BaseObject));
    }

    [Fact]
    public void Secret_and_token_never_appear_in_any_stream_error_or_connection_view()
    {
        var (app, secret) = f.RegisterApp();
        const string wrong = "n0t-the-s3cret~value";
        var run = f.Run($$"""
            Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $wrong {{f.Endpoints}} -Verbose -Debug -ErrorAction SilentlyContinue
            Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {{f.Endpoints}} -Verbose -Debug
            Get-CallRecordConnection -Verbose -Debug
            Get-CallRecord -First 3 -Verbose -Debug
            Get-CallRecord -Id 'no-such-record' -Verbose -Debug -ErrorAction SilentlyContinue
            Get-CallRecord -Id (Get-CallRecord -First 1).Id -ExpandSession -ExpandParticipant -Verbose -Debug
            Get-CallRecordConnection | ForEach-Object { $_.ToString() }
            Disconnect-CallRecordGraph -Verbose -Debug
            """, f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret)), ("wrong", AuthFixture.Secure(wrong))));

        // the run did what it says: one failed connect, then records, the connection, its verbose trace
        Assert.Equal(4, run.Objects<CallRecord>().Count);
        var connection = Assert.Single(run.Objects<CallRecordConnection>());
        Assert.Equal(("ClientSecret", app.TenantId, app.ClientId), (connection.AuthKind, connection.TenantId, connection.ClientId));
        Assert.NotEmpty(run.Verbose);
        Assert.Contains(run.Debug, d => d.Contains("Credential: ClientSecret", StringComparison.Ordinal));
        Assert.Contains(run.ErrorVariable, e => e is System.Management.Automation.ErrorRecord r && r.FullyQualifiedErrorId.StartsWith("InvalidClientSecret", StringComparison.Ordinal));
        Assert.Contains(run.ErrorVariable, e => e is System.Management.Automation.ErrorRecord r && r.FullyQualifiedErrorId.StartsWith("CallRecordNotFound", StringComparison.Ordinal));

        run.AssertNoSecretOrToken(secret, wrong);
    }
}
