using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Resilience;

/// <summary>
/// Bad input, one case each: the ErrorRecord's FullyQualifiedErrorId (stable, with the cmdlet's type name), its
/// category, and a clear message — what was wrong in words an admin reads, never a stack trace or an SDK dump.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class BadInputTests : IDisposable
{
    private readonly EngineFixture _f;

    public BadInputTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    public void Dispose() => _f.Connect();

    private const string Get = "CallRecords.Cmdlets.GetCallRecordCommand";
    private const string Pstn = "CallRecords.Cmdlets.GetCallRecordPstnCallCommand";
    private const string Connect = "CallRecords.Cmdlets.ConnectCallRecordGraphCommand";

    private Dictionary<string, object?> Vars() => new()
    {
        ["now"] = DateTimeOffset.UtcNow,
        ["ep"] = _f.Host.BaseAddress,
        ["t"] = _f.Token(),
        ["ids"] = _f.Retained().Take(2).Select(r => r.Id).ToArray(),
        ["closed"] = new Uri($"http://127.0.0.1:{ClosedPort()}"),
    };

    /// <summary>A loopback port nothing listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static void AssertClear(ErrorRecord e, string fragment)
    {
        var message = e.ErrorDetails?.Message ?? e.Exception.Message;
        Assert.Contains(fragment, message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", message, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", message, StringComparison.Ordinal); // no token text
    }

    public static TheoryData<string, string, ErrorCategory, string> Cases => new()
    {
        { "Get-CallRecord -StartDateTime $now.AddDays(-1) -EndDateTime $now.AddDays(-2)", "EndDateTimeNotAfterStartDateTime," + Get, ErrorCategory.InvalidArgument, "must be later than -StartDateTime" },
        { "Get-CallRecord -StartDateTime $now.AddDays(-1) -EndDateTime $now.AddDays(-1)", "EndDateTimeNotAfterStartDateTime," + Get, ErrorCategory.InvalidArgument, "must be later than -StartDateTime" },
        { "Get-CallRecord -StartDateTime $now.AddDays(1)", "StartDateTimeInFuture," + Get, ErrorCategory.InvalidArgument, "is in the future" },
        { "Get-CallRecordPstnCall -StartDateTime $now.AddDays(2) -EndDateTime $now.AddDays(3)", "StartDateTimeInFuture," + Pstn, ErrorCategory.InvalidArgument, "is in the future" },
        { "Get-CallRecordPstnCall -StartDateTime $now.AddDays(-2) -EndDateTime $now.AddDays(-3)", "EndDateTimeNotAfterStartDateTime," + Pstn, ErrorCategory.InvalidArgument, "must be later than -StartDateTime" },
        { "Get-CallRecord -Id ''", "ParameterArgumentValidationError," + Get, ErrorCategory.InvalidData, "Id" },
        { "Get-CallRecord -Id ' '", "CallRecordIdEmpty," + Get, ErrorCategory.InvalidArgument, "id is empty" },
        { "Get-CallRecord -Id \"ab'c\"", "CallRecordIdMalformed," + Get, ErrorCategory.InvalidArgument, "is not a call record id" },
        { "Get-CallRecord -Id 'a/b'", "CallRecordIdMalformed," + Get, ErrorCategory.InvalidArgument, "is not a call record id" },
        { "Get-CallRecord -Id 'two words'", "CallRecordIdMalformed," + Get, ErrorCategory.InvalidArgument, "is not a call record id" },
        { "Get-CallRecord -Id '00000000-0000-0000-0000-000000000001'", "CallRecordNotFound," + Get, ErrorCategory.ObjectNotFound, "was not found" },
        { "Get-CallRecord -Filter \"type eq 'groupCall'\"", "GraphBadRequest," + Get, ErrorCategory.InvalidArgument, "Filtering on 'type' is not supported" },
        { "Get-CallRecord -PageSize 0", "ParameterArgumentValidationError," + Get, ErrorCategory.InvalidData, "PageSize" },
        { "Get-CallRecord -PageSize -5", "ParameterArgumentValidationError," + Get, ErrorCategory.InvalidData, "PageSize" },
        { "Get-CallRecord -PageSize 1001", "ParameterArgumentValidationError," + Get, ErrorCategory.InvalidData, "PageSize" },
        { "Get-CallRecordPstnCall -ThrottleLimit 0", "ParameterArgumentValidationError," + Pstn, ErrorCategory.InvalidData, "ThrottleLimit" },
        { "Get-CallRecordPstnCall -ThrottleLimit 17", "ParameterArgumentValidationError," + Pstn, ErrorCategory.InvalidData, "ThrottleLimit" },
        { "Disconnect-CallRecordGraph; Get-CallRecord -First 1", "NotConnected," + Get, ErrorCategory.ConnectionError, "Connect-CallRecordGraph" },
        { "Connect-CallRecordGraph -TenantId contoso.com -ClientId c -ClientSecret $t -CertificateThumbprint AB12", "AmbiguousParameterSet," + Connect, ErrorCategory.InvalidArgument, "cannot be resolved" },
        { "Connect-CallRecordGraph -ClientId c -ClientSecret $t -GraphEndpoint $ep", "MissingMandatoryParameter," + Connect, ErrorCategory.InvalidArgument, "TenantId" },
        { "Connect-CallRecordGraph -AccessToken $t -GraphEndpoint http://graph.example.com", "InvalidGraphEndpoint," + Connect, ErrorCategory.InvalidArgument, "plain http is allowed for localhost only" },
        { "Connect-CallRecordGraph -AccessToken ([pscredential]::new('x', $t).GetNetworkCredential().Password.Substring(0, 20) | % { $s = [securestring]::new(); $_.ToCharArray() | % { $s.AppendChar($_) }; $s }) -GraphEndpoint $ep", "AccessTokenMalformed," + Connect, ErrorCategory.InvalidArgument, "token" },
        { "Connect-CallRecordGraph -TenantId contoso.com -ClientId c -CertificatePath ./no-such-file.pfx -GraphEndpoint $ep", "CertificateNotFound," + Connect, ErrorCategory.ObjectNotFound, "no-such-file.pfx" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsRefusedWithAStableIdACategoryAndAClearMessage(string script, string errorId, ErrorCategory category, string fragment)
    {
        var run = _f.Run(script, Vars());

        Assert.Empty(run.Output);
        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        AssertClear(error, fragment);
    }

    [Fact]
    public void ARefusedEndpointFailsAtOnceWithTheAddressAndAdvice()
    {
        var run = _f.Run("$c = Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $closed -NoDefault -PassThru; Get-CallRecord -Connection $c -First 1", Vars());

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable," + Get, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        AssertClear(error, "after 1 attempt: Connection refused");
        Assert.Contains("-GraphEndpoint", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostThatDoesNotResolveFailsAtOnce()
    {
        var run = _f.Run("$c = Connect-CallRecordGraph -AccessToken $t -GraphEndpoint https://graph.invalid -NoDefault -PassThru; Get-CallRecord -Connection $c -First 1", Vars());

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable," + Get, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        AssertClear(error, "after 1 attempt");
        AssertClear(error, "graph.invalid");
    }

    [Fact]
    public void AStartBeyondRetentionWarnsAndStillReturnsWhatGraphKeeps()
    {
        var vars = Vars();
        vars["now"] = _f.Now; // the emulator's clock, so the truth's retention and the range agree
        var run = _f.Run("Get-CallRecord -StartDateTime $now.AddDays(-45) -EndDateTime $now.AddDays(-29)", vars);

        Assert.Empty(run.Errors);
        Assert.Contains(run.Warnings, w => w.Contains("more than 30 days ago", StringComparison.Ordinal));
        // What Graph still keeps of the range: the records of its last day inside the retention.
        var kept = _f.Host.Truth.Records(_f.Now.AddDays(-45), _f.Now.AddDays(-29));
        Assert.NotEmpty(kept);
        TruthAssert.Equal(kept, run.Objects<CallRecord>().Select(r => r.Id), "records of the retained part of the range");
    }

    [Fact]
    public void AParticipantIdWithAQuoteIsEscapedInTheFilterNotInjected()
    {
        var run = _f.Run("Get-CallRecord -ParticipantId \"x' or startDateTime ge 2000-01-01T00:00:00Z or '1' eq '1\" -First 5", Vars());

        Assert.Empty(run.Errors);
        Assert.Empty(run.Output); // no participant has that id; an injected "or" would have matched every record
        var request = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Contains(Uri.EscapeDataString("x'' or startDateTime"), request.PathAndQuery.Replace("%20", " ", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void APipelineMixingValidAndInvalidIdsReturnsTheValidOnes()
    {
        var vars = Vars();
        var ids = (string[])vars["ids"]!;
        var run = _f.Run("$ids[0], '00000000-0000-0000-0000-000000000009', 'bad id', $ids[1] | Get-CallRecord", vars);

        Assert.Equal(ids, run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Equal(new[] { "CallRecordNotFound," + Get, "CallRecordIdMalformed," + Get }, run.Errors.Select(e => e.FullyQualifiedErrorId));
        Assert.All(run.Errors, e => Assert.DoesNotContain("   at ", e.ErrorDetails.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void ErrorActionStopMakesAPerItemErrorTerminating()
    {
        var vars = Vars();
        var ids = (string[])vars["ids"]!;
        var run = _f.Run("""
            $got = [System.Collections.Generic.List[object]]::new()
            try { $ids[0], '00000000-0000-0000-0000-000000000009', $ids[1] | Get-CallRecord -ErrorAction Stop | ForEach-Object { $got.Add($_) } }
            catch { $caught = $_ }
            $got
            $caught.FullyQualifiedErrorId
            """, vars);

        Assert.Equal(new[] { ids[0] }, run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Equal("CallRecordNotFound," + Get, run.Objects<string>().Single());
        // Ids are read concurrently (-ThrottleLimit), so the third may have been asked for while the second failed, but
        // nothing after the error is written.
        Assert.InRange(EngineFixture.Requests(_f.Host, Routes.GetCallRecord).Count, 2, 3);
    }

    [Fact]
    public void AHugeFirstReturnsEverythingInTheRange()
    {
        var start = _f.Now.AddDays(-3);
        var expected = _f.Retained().Where(r => r.StartDateTime >= start).Select(r => r.Id).ToList();
        var vars = Vars();
        vars["s"] = start;

        var run = _f.Run("Get-CallRecord -StartDateTime $s -First 18446744073709551615", vars);

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id));
    }

    [Fact]
    public void AForbiddenTokenExplainsTheApplicationPermissionAndConsent()
    {
        var vars = Vars();
        vars["t"] = _f.Token(roles: new[] { "User.Read.All" });
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep -WarningAction SilentlyContinue; Get-CallRecord -First 1", vars);

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphPermissionDenied," + Get, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        AssertClear(error, "403");
        Assert.Contains("CallRecords.Read.All", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("admin consent", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void ATokenGraphRejectsSaysToConnectAgain()
    {
        var vars = Vars();
        vars["t"] = _f.Token(_f.Other); // signed for another tenant's emulator
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep -WarningAction SilentlyContinue; Get-CallRecord -First 1", vars);

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphAuthenticationFailed," + Get, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        AssertClear(error, "401");
        Assert.Contains("Connect-CallRecordGraph", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void DisconnectingMidPipelineStopsWithAClearError()
    {
        var vars = Vars();
        var ids = (string[])vars["ids"]!;
        var run = _f.Run("$ids | ForEach-Object { if ($_ -eq $ids[1]) { Disconnect-CallRecordGraph }; $_ } | Get-CallRecord", vars);

        // The first id may still be in flight when the connection closes under it (ids are read concurrently): it is
        // written or the run stops with the error, never both missing and silent.
        var got = run.Objects<CallRecord>().Select(r => r.Id).ToList();
        Assert.True(got.Count == 0 || got.SequenceEqual(new[] { ids[0] }), string.Join(",", got));
        var error = Assert.Single(run.Errors);
        Assert.Contains(error.FullyQualifiedErrorId, new[] { "NotConnected," + Get, "ConnectionClosed," + Get });
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        AssertClear(error, "Connect-CallRecordGraph");
    }
}
