using CallRecords.Models;
using CallRecords.PS.Tests.Auth;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Resilience;

/// <summary>
/// Every exported cmdlet with -Verbose -Debug, on a client-secret connection, through throttling, a reset, a 404 and
/// a failed write: neither the client secret nor any token appears in any stream, error record (exception chain
/// included), $Error, or the connection's view.
/// </summary>
[Collection(AuthCollection.Name)]
public sealed class SecretsEveryCmdletTests(AuthFixture f) : IDisposable
{
    public void Dispose() => f.Host.Control.ClearFaults();

    [Fact]
    public void NoSecretOrTokenInAnyStreamOfAnyCmdletEvenWhenRequestsFail()
    {
        var (app, secret) = f.RegisterApp();
        // Faults on the first Graph requests: a throttled page, a reset mid-body, a 503 for a write.
        f.Host.Control.Faults = new FaultSettings
        {
            RetryAfterSeconds = 0,
            AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.TooManyRequests, [2] = FaultKind.ConnectionReset, [4] = FaultKind.ServiceUnavailable },
        };
        var run = f.Run($$"""
            Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {{f.Endpoints}} -RetryDelay 0 -Verbose -Debug
            Get-CallRecordConnection -Verbose -Debug
            $first = Get-CallRecord -First 2 -Verbose -Debug
            $first
            Get-CallRecord -Id $first[0].Id -ExpandSession -ExpandParticipant -Verbose -Debug
            Get-CallRecord -Id '00000000-0000-0000-0000-00000000dead' -Verbose -Debug -ErrorAction SilentlyContinue
            $start = [DateTimeOffset]::UtcNow.AddDays(-1)
            $r = New-CallRecord -StartDateTime $start -EndDateTime $start.AddMinutes(5) -Verbose -Debug
            $s = Add-CallRecordSession -CallRecordId $r.Id -Caller 'user-a' -Callee 'user-b' -Modalities audio -StartDateTime $start -EndDateTime $start.AddMinutes(5) -PassThru -Verbose -Debug
            Add-CallRecordSegment -CallRecordId $r.Id -SessionId $s.Id -Media @{ label = 'main-audio' } -Verbose -Debug
            Set-CallRecordSession -CallRecordId $r.Id -Id $s.Id -EndDateTime $start.AddMinutes(6) -Verbose -Debug
            Remove-CallRecordSession -CallRecordId $r.Id -Id $s.Id -Confirm:$false -Verbose -Debug
            Remove-CallRecordSession -CallRecordId $r.Id -Id 'gone' -Confirm:$false -Verbose -Debug -ErrorAction SilentlyContinue
            Get-CallRecordPstnCall -StartDateTime $start.AddDays(-30) -First 1 -Verbose -Debug
            Get-CallRecordDirectRoutingCall -StartDateTime $start.AddDays(-30) -First 1 -Verbose -Debug
            Get-CallRecordSmsLog -StartDateTime $start.AddDays(-30) -First 1 -Verbose -Debug
            Get-CallRecordPstnBlockedUserLog -StartDateTime $start.AddDays(-30) -First 1 -Verbose -Debug
            Get-CallRecordPstnDialoutReport -StartDateTime $start.AddDays(-30) -First 1 -Verbose -Debug
            Get-CallRecordConnection | ForEach-Object { $_.ToString() }
            Disconnect-CallRecordGraph -Verbose -Debug
            Get-CallRecord -First 1 -Verbose -Debug -ErrorAction SilentlyContinue
            """, f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", AuthFixture.Secure(secret))));

        // The run did what it says: records read past the faults, a write made, the failures recorded.
        Assert.Equal(3, run.Objects<CallRecord>().Count); // two listed, one by id with its sessions
        Assert.Contains(f.Host.Requests, r => r.Method == "POST" && r.Status == 201);
        Assert.Contains(f.Host.Requests, r => r.Fault == FaultKind.TooManyRequests);
        Assert.Contains(f.Host.Requests, r => r.Fault == FaultKind.ConnectionReset);
        Assert.Contains(run.Debug, d => d.StartsWith("Page retry:", StringComparison.Ordinal));
        var errorIds = run.ErrorVariable.OfType<System.Management.Automation.ErrorRecord>().Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();
        Assert.Contains("CallRecordNotFound", errorIds);
        Assert.Contains("NotConnected", errorIds);
        Assert.NotEmpty(run.Verbose);
        Assert.Single(run.Objects<PstnCallLogRow>());
        // Only the two failures asked for, plus the 404 of the session removed twice.
        Assert.Equal(new[] { "CallRecordNotFound", "CallRecordSessionNotFound", "NotConnected" }, errorIds.Order().ToArray());

        run.AssertNoSecretOrToken(secret);
    }
}
