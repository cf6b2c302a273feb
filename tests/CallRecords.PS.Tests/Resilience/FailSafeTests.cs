using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Resilience;

/// <summary>
/// Issue #18, the cases that failed unsafe: a failed connect that left another tenant's connection as the default,
/// ids that rewrite the request path, a missing record read as "no organizer", endless log ranges, values Graph can
/// never match, misclassified errors, and terminating errors without a target. Each is checked against the emulator:
/// what came out, what the error says, and what reached Graph (counted when requests arrive, so "nothing was sent"
/// cannot race the log).
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class FailSafeTests : IDisposable, IClassFixture<WriteHostFixture>
{
    private readonly EngineFixture _f;
    private readonly EmulatorHost _writes;
    /// <summary>This test's own app id: its token carries it, so the requests it sent are told apart from anything
    /// else the shared emulator sees.</summary>
    private readonly string _app = Guid.NewGuid().ToString();
    private readonly System.Security.SecureString _token;

    public FailSafeTests(EngineFixture fixture, WriteHostFixture writes)
    {
        _f = fixture;
        _writes = writes.Host;
        _token = EngineFixture.Secure(_f.Host.MintToken(appId: _app));
        var connect = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep", new Dictionary<string, object?> { ["t"] = _token, ["ep"] = _f.Host.BaseAddress });
        Assert.Empty(connect.Errors);
        _f.Reset();
        _f.Host.Control.ClearFaults();
    }

    public void Dispose()
    {
        _f.Host.Control.ClearFaults();
        _f.Host.Control.ReadOnly = false;
        _f.Connect();
    }

    /// <summary>The Graph requests this test sent (its app id), whatever other tests' stragglers do.</summary>
    private int GraphRequests(EmulatorHost host) => host.Requests.Count(r => r.AppId == _app);

    private Dictionary<string, object?> Vars(params (string Name, object? Value)[] more)
    {
        var retained = _f.Retained();
        var vars = new Dictionary<string, object?>
        {
            ["now"] = DateTimeOffset.UtcNow,
            ["ep"] = _f.Host.BaseAddress,
            ["otherEp"] = _f.Other.BaseAddress,
            ["t"] = _token,
            ["otherToken"] = EngineFixture.Secure(_f.Other.MintToken(appId: _app)),
            ["id"] = retained[^1].Id,
            ["id2"] = retained[^2].Id,
            ["long"] = new string('x', 10_000),
        };
        foreach (var (name, value) in more) vars[name] = value;
        return vars;
    }

    // --- 1. A failed connect leaves no default connection ----------------------------------------------------------

    public static TheoryData<string, string> FailingConnects => new()
    {
        // An expired token, a delegated token, an endpoint Graph cannot be, a URL with a password in it.
        { "Connect-CallRecordGraph -AccessToken $expired -GraphEndpoint $otherEp", "AccessTokenExpired" },
        { "Connect-CallRecordGraph -AccessToken $delegated -GraphEndpoint $otherEp", "AccessTokenHasNoApplicationRoles" },
        { "Connect-CallRecordGraph -AccessToken $otherToken -GraphEndpoint 'http://graph.example.com'", "InvalidGraphEndpoint" },
        { "Connect-CallRecordGraph -AccessToken $otherToken -GraphEndpoint ('http://admin:pw@127.0.0.1:' + $otherEp.Port)", "EndpointHasUserInfo" },
    };

    [Theory]
    [MemberData(nameof(FailingConnects))]
    public void AFailedConnectLeavesNoDefaultSoTheNextCommandReadsNoTenant(string failingConnect, string errorId)
    {
        var vars = Vars(("expired", EngineFixture.Secure(_f.Other.MintToken(lifetime: TimeSpan.FromMinutes(-10), appId: _app))),
            ("delegated", EngineFixture.Secure(_f.Other.MintToken(delegated: true, appId: _app))));
        // Tenant A (the main emulator) is the default; the connect to B fails; the script goes on.
        var run = _f.Run($"""
            Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep
            {failingConnect}
            Get-CallRecord -First 50
            """, vars);

        Assert.Empty(run.Output);
        Assert.Equal(2, run.Errors.Count);
        Assert.StartsWith(errorId + ",", run.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("No connection is the default now", run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.NotNull(run.Errors[0].TargetObject);
        Assert.Equal("NotConnected,CallRecords.Cmdlets.GetCallRecordCommand", run.Errors[1].FullyQualifiedErrorId);
        Assert.Contains($"failed ({errorId})", run.Errors[1].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(0, GraphRequests(_f.Host));
        Assert.Equal(0, GraphRequests(_f.Other));
        Assert.DoesNotContain(run.Errors, e => (e.ErrorDetails?.Message + e.Exception.Message + e.TargetObject).Contains("pw@", StringComparison.Ordinal));
    }

    [Fact]
    public void AFailedConnectWithNoDefaultLeavesTheDefaultAsItWas()
    {
        var run = _f.Run("""
            Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep
            Connect-CallRecordGraph -AccessToken $t -GraphEndpoint 'http://graph.example.com' -NoDefault -PassThru
            (Get-CallRecord -First 5).Count
            """, Vars());
        Assert.Equal("InvalidGraphEndpoint,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.Equal(5, Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public void AConnectionWhosePastedTokenExpiredStopsBeingTheDefault()
    {
        // A token that expires while the connection is in use cannot be renewed: the first command after expiry says
        // so, and the connection stops being the default (NotConnected from then on).
        var expiresOn = DateTimeOffset.UtcNow.AddSeconds(3);
        var token = EngineFixture.Secure(_f.Host.MintToken(lifetime: expiresOn - DateTimeOffset.UtcNow));
        var connect = _f.Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $ep -PassThru", Vars(("token", token)));
        var connection = Assert.Single(connect.Objects<CallRecordConnection>());
        Assert.True(connection.IsDefault);

        PsRun? failed = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (failed is null)
        {
            // A run that started before the expiry may still succeed, however long a loaded machine takes to finish it.
            var started = DateTimeOffset.UtcNow;
            var run = _f.Run("Get-CallRecord -First 1");
            if (run.Errors.Count > 0) failed = run;
            else if (DateTime.UtcNow > deadline) Assert.Fail("The expired token was still accepted 30 s after its expiry.");
            else Assert.True(started < expiresOn.AddSeconds(2), "Get-CallRecord still returned records after the token's expiry.");
        }
        Assert.Equal("AccessTokenExpired,CallRecords.Cmdlets.GetCallRecordCommand", Assert.Single(failed.Errors).FullyQualifiedErrorId);
        Assert.False(connection.IsDefault);
        var after = _f.Run("Get-CallRecord -First 1; Get-CallRecord -First 1 -Connection $c", Vars(("c", connection)));
        Assert.Equal(new[] { "NotConnected", "ConnectionTokenNotRenewable" }, after.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains("could not be renewed (AccessTokenExpired)", after.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
    }

    // --- 2. One id check for every id parameter ----------------------------------------------------------------------

    public static TheoryData<string, string> HostileIds()
    {
        var data = new TheoryData<string, string>();
        foreach (var id in new[] { ".", "..", "a/b", "..%2F", "a\\b", "a?b", "a#b", "%2e%2e", "a\tb", "$long" })
        {
            var v = id == "$long" ? "$long" : "'" + id.Replace("'", "''") + "'";
            data.Add($"Get-CallRecord -Id {v}", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordCommand");
            data.Add($"Get-CallRecordSession -CallRecordId {v}", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordSessionCommand");
            data.Add($"Get-CallRecordSession -CallRecordId $id -Id {v}", "SessionIdMalformed,CallRecords.Cmdlets.GetCallRecordSessionCommand");
            data.Add($"Get-CallRecordSegment -CallRecordId $id -SessionId {v}", "SessionIdMalformed,CallRecords.Cmdlets.GetCallRecordSegmentCommand");
            data.Add($"Get-CallRecordParticipant -CallRecordId {v}", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordParticipantCommand");
            data.Add($"Get-CallRecordParticipant -CallRecordId {v} -Organizer", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordParticipantCommand");
            data.Add($"Get-CallRecordStream -CallRecordId {v}", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordStreamCommand");
            data.Add($"Remove-CallRecordSession -CallRecordId $id -Id {v} -Confirm:$false", "SessionIdMalformed,CallRecords.Cmdlets.RemoveCallRecordSessionCommand");
            data.Add($"Set-CallRecordSession -CallRecordId $id -Id {v} -EndDateTime $now", "SessionIdMalformed,CallRecords.Cmdlets.SetCallRecordSessionCommand");
            data.Add($"Add-CallRecordSession -CallRecordId {v} -StartDateTime $now.AddHours(-1) -EndDateTime $now", "CallRecordIdMalformed,CallRecords.Cmdlets.AddCallRecordSessionCommand");
            data.Add($"Add-CallRecordSegment -CallRecordId $id -SessionId {v} -StartDateTime $now.AddHours(-1) -EndDateTime $now", "SessionIdMalformed,CallRecords.Cmdlets.AddCallRecordSegmentCommand");
            data.Add($"New-CallRecord -Id {v} -StartDateTime $now.AddHours(-1) -EndDateTime $now", "CallRecordIdMalformed,CallRecords.Cmdlets.NewCallRecordCommand");
        }
        // The same ids from the pipeline: a CSV row, an object with the properties, a bare string.
        data.Add("[pscustomobject]@{ CallRecordId = '..' } | Get-CallRecordSession", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordSessionCommand");
        data.Add("[pscustomobject]@{ CallRecordId = $id; Id = '..' } | Remove-CallRecordSession -Confirm:$false", "SessionIdMalformed,CallRecords.Cmdlets.RemoveCallRecordSessionCommand");
        data.Add("[pscustomobject]@{ CallRecordId = $id; SessionId = '.' } | Get-CallRecordSegment", "SessionIdMalformed,CallRecords.Cmdlets.GetCallRecordSegmentCommand");
        data.Add("'..' | Get-CallRecord", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordCommand");
        data.Add("'..' | Get-CallRecordParticipant", "CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordParticipantCommand");
        data.Add("Get-CallRecord -ParticipantId \"a`0b\"", "ParticipantIdMalformed,CallRecords.Cmdlets.GetCallRecordCommand");
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public void AnIdThatWouldRewriteThePathIsRefusedBeforeAnyRequest(string script, string errorId)
    {
        var run = _f.Run(script + "\n'after'", Vars());

        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.IsType<string>(error.TargetObject);
        var message = error.ErrorDetails?.Message ?? error.Exception.Message;
        Assert.True(message.Length < 600, "The message repeats the whole id: " + message.Length + " characters.");
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.Equal("after", run.Output[^1].BaseObject); // non-terminating: the script goes on
        Assert.Equal(0, GraphRequests(_f.Host));
    }

    [Fact]
    public void AnOversizedIdIsOneErrorAndTheIdsAfterItAreStillRead()
    {
        var vars = Vars();
        var run = _f.Run("$id, $long, $id2 | Get-CallRecord -ErrorAction Continue", vars);

        Assert.Equal(new[] { (string)vars["id"]!, (string)vars["id2"]! }, run.Objects<CallRecord>().Select(r => r.Id));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Equal(vars["long"], error.TargetObject);
        Assert.Contains("10,000 characters", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(2, _f.Host.Requests.Count(r => r.AppId == _app && r.Route == Routes.GetCallRecord));
    }

    [Fact]
    public void AnIdGraphRefusesWithA4xxIsPerInput()
    {
        // Graph's answer to the id itself (here 404 and 400 for a syntactically odd but allowed id) never ends the
        // pipeline; the ids after it are read.
        var vars = Vars();
        var run = _f.Run("$id, '00000000-0000-0000-0000-000000000001', $id2 | Get-CallRecordSession", vars);
        Assert.Equal(new[] { (string)vars["id"]!, (string)vars["id2"]! }, run.Objects<CallRecordSession>().Select(s => s.CallRecordId).Distinct());
        var error = Assert.Single(run.Errors);
        Assert.Equal("CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordSessionCommand", error.FullyQualifiedErrorId);
        Assert.Equal("00000000-0000-0000-0000-000000000001", error.TargetObject);
    }

    // --- 3. -Organizer does not hide a missing record ----------------------------------------------------------------

    private bool HasOrganizer(string id) => _f.Host.OrganizerOf(id) is not null;

    [Fact]
    public void OrganizerOfAMissingRecordIsAnErrorAndTheOthersAreStillRead()
    {
        var withOrganizer = _f.Retained().Where(r => HasOrganizer(r.Id)).TakeLast(2).Select(r => r.Id).ToArray();
        Assert.Equal(2, withOrganizer.Length);
        var run = _f.Run("$a, '00000000-0000-0000-0000-0000000000bb', $b | Get-CallRecordParticipant -Organizer; $?",
            Vars(("a", withOrganizer[0]), ("b", withOrganizer[1])));

        Assert.Equal(withOrganizer, run.Objects<CallRecordParticipant>().Select(p => p.CallRecordId));
        Assert.All(run.Objects<CallRecordParticipant>(), p => Assert.True(p.IsOrganizer));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordParticipantCommand", error.FullyQualifiedErrorId);
        Assert.Equal("00000000-0000-0000-0000-0000000000bb", error.TargetObject);
        Assert.False((bool)run.Output[^1].BaseObject);
    }

    [Fact]
    public void ARecordWithoutAnOrganizerGivesNoOrganizerAndNoError()
    {
        // A seeded record created without -Organizer has none: 200 without organizer_v2, not a 404.
        var run = _f.Run("""
            Connect-CallRecordGraph -AccessToken $wt -GraphEndpoint $wep
            $r = New-CallRecord -Type peerToPeer -Modalities audio -StartDateTime $now.AddHours(-1) -EndDateTime $now
            $r
            Get-CallRecordParticipant -CallRecordId $r.Id -Organizer
            'after'
            """, Vars(("wt", _f.Token(_writes)), ("wep", _writes.BaseAddress)));
        Assert.Empty(run.Errors);
        var created = Assert.Single(run.Objects<CallRecord>());
        Assert.Null(_writes.OrganizerOf(created.Id));
        Assert.NotNull(_writes.RecordItem(created.Id));
        Assert.Equal(new object[] { created, "after" }, run.Output.Select(o => o.BaseObject));
    }

    // --- 4. Endless log ranges -----------------------------------------------------------------------------------

    [Fact]
    public void AStartEarlierThanGraphKeepsLogsIsClampedWithAWarning()
    {
        var run = _f.Run("Get-CallRecordPstnCall -StartDateTime ([datetime]::MinValue) -First 3", Vars());

        Assert.Empty(run.Errors);
        Assert.Equal(3, run.Objects<PstnCallLogRow>().Count);
        Assert.Contains(run.Warnings, w => w.Contains("do not reach that far back", StringComparison.Ordinal));
        var first = _f.Host.Requests.First(r => r.AppId == _app && r.Route == Routes.GetPstnCalls);
        var from = DateTimeOffset.Parse(System.Text.RegularExpressions.Regex.Match(Uri.UnescapeDataString(first.PathAndQuery), @"fromDateTime=([^,)]+)").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(from, DateTimeOffset.UtcNow.AddDays(-367), DateTimeOffset.UtcNow.AddDays(-365));
        // Clamped to a year: at most five 90-day windows before the first row, not thousands.
        Assert.InRange(_f.Host.Requests.Count(r => r.AppId == _app && r.Route == Routes.GetPstnCalls), 1, 5);
    }

    [Theory]
    [InlineData("Get-CallRecordPstnCall -EndDateTime ([datetime]::MaxValue)")]
    [InlineData("Get-CallRecordDirectRoutingCall -StartDateTime $now.AddDays(-3) -EndDateTime $now.AddDays(2)")]
    [InlineData("Get-CallRecordSmsLog -EndDateTime ([datetimeoffset]::MaxValue)")]
    public void AnEndInTheFutureIsRefusedLikeAStartInTheFuture(string script)
    {
        var run = _f.Run(script, Vars());
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("EndDateTimeInFuture,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("is in the future", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.NotNull(error.TargetObject);
        Assert.Equal(0, GraphRequests(_f.Host));
    }

    // --- 7. Values Graph can never match ---------------------------------------------------------------------------

    [Theory]
    [InlineData("Get-CallRecord -Type banana", "Type", "callType")]
    [InlineData("Get-CallRecord -Modality smell", "Modality", "modality")]
    [InlineData("Get-CallRecord -Modality audio, smell", "Modality", "modality")]
    [InlineData("New-CallRecord -Type banana -StartDateTime $now.AddHours(-1) -EndDateTime $now", "Type", "callType")]
    [InlineData("New-CallRecord -Modalities hologram -StartDateTime $now.AddHours(-1) -EndDateTime $now", "Modalities", "modality")]
    [InlineData("Add-CallRecordSession -CallRecordId $id -Modalities hologram", "Modalities", "modality")]
    [InlineData("Set-CallRecordSession -CallRecordId $id -Id $id -Modalities hologram", "Modalities", "modality")]
    public void AValueNoGraphEnumHasIsAParameterError(string script, string parameter, string enumName)
    {
        var run = _f.Run(script, Vars());
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(parameter, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains($"is not a {enumName} value Graph knows", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, GraphRequests(_f.Host));
    }

    [Fact]
    public void GraphValuesInAnyCaseAreSentAsGraphSpellsThem()
    {
        var run = _f.Run("""
            @(Get-CallRecord -Type GROUPCALL -Modality Audio -PageSize 999).Count
            Connect-CallRecordGraph -AccessToken $wt -GraphEndpoint $wep
            $r = New-CallRecord -Type PEERTOPEER -Modalities AUDIO, Video -StartDateTime $now.AddHours(-1) -EndDateTime $now
            $r.Type; "$($r.Modalities)"
            """, Vars(("wt", _f.Token(_writes)), ("wep", _writes.BaseAddress)));
        Assert.Empty(run.Errors);
        var expected = _f.Retained().Count(r => _f.Host.RecordItem(r.Id) is { } item &&
            (string?)item["type"] == "groupCall" && item["modalities"]!.AsArray().Any(m => (string?)m == "audio"));
        Assert.True(expected > 0);
        Assert.Equal(expected, (int)run.Output[0].BaseObject);
        Assert.Equal("peerToPeer", run.Output[1].BaseObject);
        Assert.Equal("audio video", run.Output[2].BaseObject);
    }

    // --- 8. Errors that name what went wrong, with a target ------------------------------------------------------

    [Fact]
    public void AnInvalidWildcardIsRefusedAsSuch()
    {
        var run = _f.Run("Get-CallRecordPstnCall -UserPrincipalName '[abc'", Vars());
        var error = Assert.Single(run.Errors);
        Assert.Equal("UserPrincipalNameInvalidPattern,CallRecords.Cmdlets.GetCallRecordPstnCallCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("[abc", error.TargetObject);
        Assert.Equal(0, GraphRequests(_f.Host));
    }

    [Fact]
    public void APageThatFailsEveryAttemptEndsTheCommandWithItsUrlAsTarget()
    {
        _f.Host.Control.Faults = FaultSettings.None with { AtRequests = Enumerable.Range(1, 20).ToDictionary(n => (long)n, _ => FaultKind.GatewayTimeout) };
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep -MaxRetry 1 -RetryDelay 0; Get-CallRecord -First 5", Vars());
        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphServiceError,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        var target = Assert.IsType<Uri>(error.TargetObject);
        Assert.Contains("/communications/callRecords", target.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedWriteEndsTheCommandWithTheWritesTarget()
    {
        _f.Host.Control.ReadOnly = true;
        var run = _f.Run("Remove-CallRecordSession -CallRecordId $id -Id $id -Confirm:$false", Vars());
        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphWriteNotSupported,CallRecords.Cmdlets.RemoveCallRecordSessionCommand", error.FullyQualifiedErrorId);
        Assert.Equal($"session '{Vars()["id"]}' of call record '{Vars()["id"]}'", error.TargetObject);
    }

    [Fact]
    public void UsingAClosedConnectionNamesIt()
    {
        var run = _f.Run("$c = Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep -NoDefault -PassThru; Disconnect-CallRecordGraph -Connection $c; Get-CallRecord -Connection $c -First 1", Vars());
        var error = Assert.Single(run.Errors);
        Assert.Equal("ConnectionClosed,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.IsType<CallRecordConnection>(error.TargetObject);
    }

    [Fact]
    public void NotConnectedNamesTheCommand()
    {
        var run = _f.Run("Disconnect-CallRecordGraph; Get-CallRecordPstnCall -First 1");
        var error = Assert.Single(run.Errors);
        Assert.Equal("NotConnected,CallRecords.Cmdlets.GetCallRecordPstnCallCommand", error.FullyQualifiedErrorId);
        Assert.Equal("Get-CallRecordPstnCall", error.TargetObject);
    }
}
