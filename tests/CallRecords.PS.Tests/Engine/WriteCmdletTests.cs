using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Text.Json.Nodes;
using CallRecords.Models;
using CallRecords.PS.Tests.Emulator;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>An emulator of its own for the write tests, so created records never reach the read tests' ground truth.</summary>
public sealed class WriteHostFixture : IAsyncLifetime
{
    public EmulatorHost Host { get; private set; } = null!;
    public GraphTestClient Raw { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        Host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 31, Records = 10, Days = 5, Now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMinute)), Throttle = false, LogRows = 10 });
        Raw = new GraphTestClient(Host);
    }

    public async Task DisposeAsync()
    {
        Raw.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>New-CallRecord, Add-/Set-/Remove-CallRecordSession and Add-CallRecordSegment in the hosted engine.</summary>
[Collection(EngineCollection.Name)]
public sealed class WriteCmdletTests : IClassFixture<WriteHostFixture>
{
    private static readonly string[] WriteRoutes = { Routes.CreateCallRecord, Routes.CreateSession, Routes.UpdateSession, Routes.DeleteSession, Routes.CreateSegment };
    private readonly EngineFixture _f;
    private readonly EmulatorHost _host;
    private readonly GraphTestClient _raw;

    public WriteCmdletTests(EngineFixture engine, WriteHostFixture writes)
    {
        _f = engine;
        _host = writes.Host;
        _raw = writes.Raw;
        _f.Connect(_host);
        _f.Reset(_host);
        _host.Control.ReadOnly = false;
    }

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    private DateTimeOffset Start => _host.Now.AddHours(-3);

    private long Writes() => WriteRoutes.Sum(r => EngineFixture.Count(_host, r));

    /// <summary>A record with one audio session between two users, made with the cmdlets; returns (record id, session id).</summary>
    private (string Record, string Session) Seed()
    {
        var run = _f.Run("""
            $r = New-CallRecord -Type peerToPeer -Modalities audio -StartDateTime $start -EndDateTime $start.AddMinutes(10) -Organizer 'user-a' -Participants 'user-a', 'user-b'
            $s = Add-CallRecordSession -CallRecordId $r.Id -Caller 'user-a' -Callee 'user-b' -Modalities audio -StartDateTime $start -EndDateTime $start.AddMinutes(10) -PassThru
            $r.Id; $s.Id
            """, Vars(("start", Start)));
        Assert.Empty(run.Errors);
        var ids = run.Output.Select(o => (string)o.BaseObject).ToArray();
        Assert.Equal(2, ids.Length);
        return (ids[0], ids[1]);
    }

    [Fact]
    public void RoundTripCreatesRecordSessionsAndSegmentsThatReadBackThroughGetCallRecord()
    {
        var run = _f.Run("""
            $r = New-CallRecord -Type groupCall -Modalities audio, video -StartDateTime $start -EndDateTime $start.AddMinutes(30) -Version 2 `
                -JoinWebUrl 'https://teams.microsoft.com/l/meetup-join/seeded' -Organizer 'org-1' `
                -Participants 'org-1', @{ id = 'user-2'; identity = @{ user = @{ id = 'user-2'; displayName = 'Megan Bowen' } } }
            $s1 = Add-CallRecordSession -CallRecordId $r.Id -Caller 'org-1' -Callee @{ identity = @{ user = @{ id = 'user-2'; displayName = 'Megan Bowen' } } } `
                -Modalities audio -StartDateTime $start -EndDateTime $start.AddMinutes(30) -PassThru
            $s2 = Add-CallRecordSession -CallRecordId $r.Id -Caller 'user-2' -Callee @{ userAgent = @{ '@odata.type' = '#microsoft.graph.callRecords.serviceUserAgent'; role = 'conferencingServer' } } `
                -Modalities video -StartDateTime $start.AddMinutes(1) -EndDateTime $start.AddMinutes(2) -FailureInfo @{ stage = 'media'; reason = 'Lost media connectivity' } -PassThru
            $media = @{ label = 'main-audio'; streams = @(
                @{ streamId = '1'; streamDirection = 'callerToCallee'; averageJitter = [timespan]::FromMilliseconds(45); averagePacketLossRate = 0.01; averageRoundTripTime = [timespan]::FromMilliseconds(80) }
                @{ streamId = '2'; streamDirection = 'calleeToCaller'; averageJitter = [timespan]::FromMilliseconds(12); averagePacketLossRate = 0.0; averageRoundTripTime = [timespan]::FromMilliseconds(60) }) }
            $seg = $s1 | Add-CallRecordSegment -StartDateTime $start -EndDateTime $start.AddMinutes(30) -Media $media -PassThru
            $r; $s1; $s2; $seg
            Get-CallRecord -Id $r.Id -ExpandSession
            Get-CallRecordStream -CallRecordId $r.Id
            """, Vars(("start", Start)));
        Assert.Empty(run.Errors);

        // The created streams are classified like any other: 45 ms average jitter is over the 30 ms audio threshold.
        var streams = run.Objects<CallRecordStream>().OrderBy(x => x.StreamId).ToList();
        Assert.Equal(new[] { "1", "2" }, streams.Select(x => x.StreamId));
        Assert.Equal(StreamQuality.Poor, streams[0].Quality);
        Assert.Contains("AverageJitter", streams[0].PoorReasons);
        Assert.NotEqual(StreamQuality.Poor, streams[1].Quality);
        Assert.Empty(streams[1].PoorReasons);

        var created = run.Objects<CallRecord>()[0];
        Assert.True(Guid.TryParse(created.Id, out _));
        Assert.Equal("groupCall", created.Type);
        Assert.Equal(new[] { "audio", "video" }, created.Modalities);
        Assert.Equal(2, created.Version);
        Assert.Equal(Start, created.StartDateTime);
        Assert.Equal(Start.AddMinutes(30), created.EndDateTime);

        var sessions = run.Objects<CallRecordSession>();
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(created.Id, s.CallRecordId));
        Assert.Equal("participant", sessions[0].Caller!.Kind);
        Assert.Equal("org-1", sessions[0].Caller!.Identity!.Id);
        Assert.Equal("Megan Bowen", sessions[0].Callee!.Identity!.DisplayName);
        Assert.Equal("service", sessions[1].Callee!.Kind);
        Assert.Equal("conferencingServer", sessions[1].Callee!.UserAgent!.Role);
        Assert.Equal("media", sessions[1].FailureInfo!.Stage);

        var segment = Assert.Single(run.Objects<CallRecordSegment>());
        Assert.Equal(sessions[0].Id, segment.SessionId);

        // Read back: the record with both sessions, the segment and its streams, durations intact.
        var read = run.Objects<CallRecord>()[1];
        Assert.Equal(created.Id, read.Id);
        Assert.Equal("org-1", read.OrganizerId);
        Assert.Equal(new[] { sessions[0].Id, sessions[1].Id }, read.Sessions!.Select(s => s.Id));
        var readSegment = Assert.Single(read.Sessions![0].Segments!);
        Assert.Equal(segment.Id, readSegment.Id);
        var media = Assert.Single(readSegment.Media);
        Assert.Equal("main-audio", media.Label);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(12) }, media.Streams.Select(s => s.AverageJitter!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(80), media.Streams[0].AverageRoundTripTime);
        Assert.Equal("Lost media connectivity", read.Sessions[1].FailureInfo!.Reason);

        Assert.Equal(1, EngineFixture.Count(_host, Routes.CreateCallRecord));
        Assert.Equal(2, EngineFixture.Count(_host, Routes.CreateSession));
        Assert.Equal(1, EngineFixture.Count(_host, Routes.CreateSegment));
    }

    [Fact]
    public async Task TheWireCarriesGraphShapes()
    {
        var (record, session) = Seed();
        var run = _f.Run("Add-CallRecordSegment -CallRecordId $r -SessionId $s -Media @{ label = 'main-audio'; streams = @(@{ streamDirection = 'callerToCallee'; averageJitter = [timespan]'00:00:00.016' }) }",
            Vars(("r", record), ("s", session)));
        Assert.Empty(run.Errors);
        Assert.Empty(run.Output); // no -PassThru

        var raw = await _raw.GetAsync($"v1.0/communications/callRecords/{record}/sessions/{session}?$expand=segments");
        Assert.Equal(HttpStatusCode.OK, raw.Status);
        var body = raw.Body!;
        Assert.Equal("#microsoft.graph.callRecords.participantEndpoint", body["caller"]!["@odata.type"]!.GetValue<string>());
        Assert.Equal("user-a", body["caller"]!["identity"]!["user"]!["id"]!.GetValue<string>());
        Assert.EndsWith("Z", body["startDateTime"]!.GetValue<string>(), StringComparison.Ordinal);
        var stream = body["segments"]![0]!["media"]![0]!["streams"]![0]!;
        Assert.Equal("PT0.016S", stream["averageJitter"]!.GetValue<string>());
    }

    [Fact]
    public async Task SetSendsOnlyTheGivenPropertiesAndPassThruReadsTheSessionBack()
    {
        var (record, session) = Seed();
        // Someone else changes the modalities meanwhile; a PATCH of the end time alone must not undo that.
        var other = await _raw.SendAsync(new HttpMethod("PATCH"), $"v1.0/communications/callRecords/{record}/sessions/{session}",
            new JsonObject { ["modalities"] = new JsonArray("audio", "video") });
        Assert.Equal(HttpStatusCode.NoContent, other.Status);

        var newEnd = Start.AddMinutes(7);
        var run = _f.Run("Set-CallRecordSession -CallRecordId $r -Id $s -EndDateTime $end -PassThru", Vars(("r", record), ("s", session), ("end", newEnd)));
        Assert.Empty(run.Errors);
        var updated = Assert.Single(run.Objects<CallRecordSession>());
        Assert.Equal(newEnd, updated.EndDateTime);
        Assert.Equal(new[] { "audio", "video" }, updated.Modalities);
        Assert.Equal("user-a", updated.Caller!.Identity!.Id);
        Assert.Equal(2, EngineFixture.Count(_host, Routes.UpdateSession)); // the raw one, then ours
        Assert.Equal(1, EngineFixture.Count(_host, Routes.GetSession));

        var state = (await _raw.GetAsync($"v1.0/communications/callRecords/{record}/sessions/{session}")).Body!;
        Assert.Equal(newEnd, DateTimeOffset.Parse(state["endDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, state["modalities"]!.AsArray().Count);

        // Without -PassThru nothing is written and nothing is read back.
        var reads = EngineFixture.Count(_host, Routes.GetSession);
        var quiet = _f.Run("Set-CallRecordSession -CallRecordId $r -Id $s -FailureInfo @{ stage = 'signaling'; reason = 'x' }", Vars(("r", record), ("s", session)));
        Assert.Empty(quiet.Errors);
        Assert.Empty(quiet.Output);
        Assert.Equal(3, EngineFixture.Count(_host, Routes.UpdateSession));
        Assert.Equal(reads, EngineFixture.Count(_host, Routes.GetSession));

        var nothing = _f.Run("Set-CallRecordSession -CallRecordId $r -Id $s", Vars(("r", record), ("s", session)));
        Assert.Equal("NoPropertyToSet,CallRecords.Cmdlets.SetCallRecordSessionCommand", Assert.Single(nothing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void RemovedSessionsAreGoneAndRemovingAgainIsANonTerminatingNotFound()
    {
        var (record, session) = Seed();
        var run = _f.Run("""
            Remove-CallRecordSession -CallRecordId $r -Id $s -Confirm:$false
            (Get-CallRecord -Id $r -ExpandSession).Sessions.Count
            Remove-CallRecordSession -CallRecordId $r -Id $s -Confirm:$false
            'still running'
            """, Vars(("r", record), ("s", session)));
        Assert.Equal(new object[] { 0, "still running" }, run.Output.Select(o => o.BaseObject));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CallRecordSessionNotFound,CallRecords.Cmdlets.RemoveCallRecordSessionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("Could not find the requested session", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("DELETE ", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 204, 404 }, EngineFixture.Requests(_host, Routes.DeleteSession).Select(r => r.Status));
    }

    [Fact]
    public void SessionsPipedFromGetCallRecordBindByPropertyNameAndAreRemoved()
    {
        var (record, _) = Seed();
        var more = _f.Run("1..2 | ForEach-Object { Add-CallRecordSession -CallRecordId $r -Modalities audio -StartDateTime $start -EndDateTime $start.AddMinutes($_) }",
            Vars(("r", record), ("start", Start)));
        Assert.Empty(more.Errors);

        var run = _f.Run("""
            Get-CallRecord -Id $r -ExpandSession | ForEach-Object Sessions | Remove-CallRecordSession -Confirm:$false
            (Get-CallRecord -Id $r -ExpandSession).Sessions.Count
            """, Vars(("r", record)));
        Assert.Empty(run.Errors);
        Assert.Equal(0, Assert.Single(run.Output).BaseObject);
        var deletes = EngineFixture.Requests(_host, Routes.DeleteSession);
        Assert.Equal(3, deletes.Count);
        Assert.All(deletes, d => Assert.Equal(204, d.Status));
        Assert.All(deletes, d => Assert.Equal(record, d.RecordId));
    }

    [Fact]
    public void WhatIfSendsNothing()
    {
        var (record, session) = Seed();
        _f.Reset(_host);
        var run = _f.Run("""
            New-CallRecord -StartDateTime $start -EndDateTime $start.AddMinutes(1) -WhatIf
            Add-CallRecordSession -CallRecordId $r -Modalities audio -WhatIf -PassThru
            Set-CallRecordSession -CallRecordId $r -Id $s -Modalities video -WhatIf -PassThru
            Remove-CallRecordSession -CallRecordId $r -Id $s -WhatIf
            Add-CallRecordSegment -CallRecordId $r -SessionId $s -StartDateTime $start -WhatIf -PassThru
            """, Vars(("r", record), ("s", session), ("start", Start)));
        Assert.Empty(run.Errors);
        Assert.Empty(run.Output);
        Assert.Empty(_host.Requests);
        Assert.Equal(0, Writes());
    }

    [Fact]
    public void ConfirmImpactHighAsksUnderTheDefaultPreferenceAndANoSendsNothing()
    {
        var (record, session) = Seed();
        _f.Reset(_host);
        var vars = Vars(("r", record), ("s", session));

        var no = RunWithHost(TestHost.Answering("No"), "Remove-CallRecordSession -CallRecordId $r -Id $s", vars);
        Assert.Empty(no.Run.Errors);
        Assert.Contains(session, Assert.Single(no.Host.Prompts), StringComparison.Ordinal);
        Assert.Equal(0, Writes());

        // Medium-impact writes do not ask under the default $ConfirmPreference (High) unless -Confirm is given.
        var add = RunWithHost(TestHost.Answering("No"), "Add-CallRecordSession -CallRecordId $r -Modalities audio; Add-CallRecordSession -CallRecordId $r -Modalities audio -Confirm", vars);
        Assert.Single(add.Host.Prompts);
        Assert.Equal(1, EngineFixture.Count(_host, Routes.CreateSession));

        var yes = RunWithHost(TestHost.Answering("Yes"), "Remove-CallRecordSession -CallRecordId $r -Id $s", vars);
        Assert.Empty(yes.Run.Errors);
        Assert.Single(yes.Host.Prompts);
        Assert.Equal(1, EngineFixture.Count(_host, Routes.DeleteSession));

        // Without a host that can prompt, the engine refuses to ask; -Confirm:$false and $ConfirmPreference = 'None' do not ask.
        var (r2, s2) = Seed();
        var (r3, s3) = Seed();
        var (r4, s4) = Seed();
        var unattended = _f.Run("Remove-CallRecordSession -CallRecordId $r -Id $s", Vars(("r", r2), ("s", s2)));
        Assert.IsType<System.Management.Automation.Host.HostException>(Assert.Single(unattended.Errors).Exception);
        Assert.Equal(1, EngineFixture.Count(_host, Routes.DeleteSession));
        Assert.Empty(_f.Run("Remove-CallRecordSession -CallRecordId $r -Id $s -Confirm:$false", Vars(("r", r3), ("s", s3))).Errors);
        Assert.Empty(_f.Run("$ConfirmPreference = 'None'; Remove-CallRecordSession -CallRecordId $r -Id $s", Vars(("r", r4), ("s", s4))).Errors);
        Assert.Equal(3, EngineFixture.Count(_host, Routes.DeleteSession));
    }

    [Fact]
    public void BadBodiesSurfaceGraphs400AsClearNonTerminatingErrors()
    {
        var (record, _) = Seed();
        var run = _f.Run("""
            New-CallRecord -BodyParameter @{ type = 'groupCall'; modalities = @('hologram'); startDateTime = $start; endDateTime = $start.AddMinutes(1) }
            New-CallRecord -BodyParameter @{ type = 'groupCall'; endDateTime = $start }
            Add-CallRecordSession -CallRecordId $r -StartDateTime $start -EndDateTime $start.AddMinutes(-5)
            'after'
            """, Vars(("r", record), ("start", Start)));
        Assert.Equal("after", Assert.Single(run.Output).BaseObject);
        Assert.Equal(3, run.Errors.Count);
        Assert.Equal("CallRecordInvalidBody,CallRecords.Cmdlets.NewCallRecordCommand", run.Errors[0].FullyQualifiedErrorId);
        Assert.Equal("CallRecordSessionInvalidBody,CallRecords.Cmdlets.AddCallRecordSessionCommand", run.Errors[2].FullyQualifiedErrorId);
        Assert.All(run.Errors, e => Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category));
        Assert.Contains("400 BadRequest (BadRequest)", run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("'\"hologram\"' is not a valid member", run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("Property 'startDateTime' is required", run.Errors[1].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("endDateTime must not be earlier", run.Errors[2].ErrorDetails.Message, StringComparison.Ordinal);
        var logged = EngineFixture.Requests(_host, Routes.CreateCallRecord).Where(r => r.Status == 400).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains("request-id: " + logged[0].RequestId, run.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("Check the body", run.Errors[0].ErrorDetails.RecommendedAction, StringComparison.Ordinal);

        // A value with no JSON form is refused before anything is sent.
        _f.Reset(_host);
        var local = _f.Run("New-CallRecord -BodyParameter 'not a body'; Add-CallRecordSession -CallRecordId $r -Caller 42", Vars(("r", record)));
        Assert.Equal(2, local.Errors.Count);
        Assert.All(local.Errors, e => Assert.StartsWith("InvalidBodyValue,", e.FullyQualifiedErrorId, StringComparison.Ordinal));
        Assert.Equal(0, Writes());
    }

    [Fact]
    public void AServiceThatRefusesWritesGivesAPlainTerminatingError()
    {
        var (record, session) = Seed();
        _host.Control.ReadOnly = true;
        try
        {
            var run = _f.Run("New-CallRecord -StartDateTime $start -EndDateTime $start.AddMinutes(1)", Vars(("start", Start)));
            Assert.Empty(run.Output);
            var error = Assert.Single(run.Errors);
            Assert.Equal("GraphWriteNotSupported,CallRecords.Cmdlets.NewCallRecordCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
            var logged = Assert.Single(EngineFixture.Requests(_host, Routes.CreateCallRecord), r => r.Status == 405);
            var message = error.ErrorDetails.Message;
            Assert.Contains("405", message, StringComparison.Ordinal);
            Assert.Contains("(MethodNotAllowed)", message, StringComparison.Ordinal);
            Assert.Contains("does not support http method 'POST'", message, StringComparison.Ordinal);
            Assert.Contains("request-id: " + logged.RequestId, message, StringComparison.Ordinal);
            Assert.Contains("Microsoft Graph does not support writing call records", message, StringComparison.Ordinal);

            // A refusal is terminating: a pipeline of removals stops at the first one.
            var removes = _f.Run("@([pscustomobject]@{ CallRecordId = $r; Id = $s }, [pscustomobject]@{ CallRecordId = $r; Id = 'other' }) | Remove-CallRecordSession -Confirm:$false",
                Vars(("r", record), ("s", session)));
            Assert.Equal("GraphWriteNotSupported,CallRecords.Cmdlets.RemoveCallRecordSessionCommand", Assert.Single(removes.Errors).FullyQualifiedErrorId);
            Assert.Equal(1, EngineFixture.Count(_host, Routes.DeleteSession));
        }
        finally
        {
            _host.Control.ReadOnly = false;
        }
    }

    [Fact]
    public void WritesAreRetriedOnlyWhereGraphDidNothing()
    {
        try
        {
            // 503 with Retry-After: the SDK's handler sends the POST again (the service did not act on it).
            _host.Control.Faults = FaultSettings.None with { AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.ServiceUnavailable }, RetryAfterSeconds = 0 };
            var retried = _f.Run("New-CallRecord -Id 'retried-503' -StartDateTime $start -EndDateTime $start.AddMinutes(1)", Vars(("start", Start)));
            Assert.Empty(retried.Errors);
            Assert.Equal("retried-503", Assert.Single(retried.Objects<CallRecord>()).Id);
            Assert.Equal(new[] { 503, 201 }, EngineFixture.Requests(_host, Routes.CreateCallRecord).Select(r => r.Status));

            // The connection drops after the service acted: a read would be asked again, a write is not (it would
            // create the record twice); the error says what happened.
            _f.Reset(_host);
            _host.Control.Faults = FaultSettings.None with { AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.ConnectionReset } };
            var dropped = _f.Run("New-CallRecord -Id 'dropped' -StartDateTime $start -EndDateTime $start.AddMinutes(1)", Vars(("start", Start)));
            Assert.Empty(dropped.Output);
            var error = Assert.Single(dropped.Errors);
            Assert.StartsWith("GraphUnreachable,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains("applied (check before repeating it)", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Contains("POST " + _host.BaseAddress, error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Equal(1, EngineFixture.Count(_host, Routes.CreateCallRecord));

            // A 201 whose body is cut short: the record exists, the answer is unreadable; not sent again.
            _f.Reset(_host);
            _host.Control.Faults = FaultSettings.None with { AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.TruncatedBody } };
            var truncated = _f.Run("New-CallRecord -Id 'truncated' -StartDateTime $start -EndDateTime $start.AddMinutes(1)", Vars(("start", Start)));
            var unreadable = Assert.Single(truncated.Errors);
            Assert.StartsWith("GraphWriteResponseUnreadable,", unreadable.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(1, EngineFixture.Count(_host, Routes.CreateCallRecord));
            _host.Control.Faults = FaultSettings.None;
            Assert.Empty(_f.Run("Get-CallRecord -Id truncated").Errors);
        }
        finally
        {
            _host.Control.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public void VerboseShowsMethodAndUrlButNeverTheToken()
    {
        var run = _f.Run("New-CallRecord -StartDateTime $start -EndDateTime $start.AddMinutes(1) -Verbose", Vars(("start", Start)));
        Assert.Empty(run.Errors);
        var url = new Uri(_host.BaseAddress, "v1.0/communications/callRecords").AbsoluteUri;
        Assert.Contains(run.Verbose, v => v.StartsWith("POST " + url, StringComparison.Ordinal));
        Assert.Contains(run.Verbose, v => v.StartsWith("POST " + url, StringComparison.Ordinal) && v.Contains("→ 201", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Verbose, v => v.Contains("Bearer", StringComparison.OrdinalIgnoreCase) || v.Contains("eyJ", StringComparison.Ordinal));
    }

    private (PsRun Run, TestHost Host) RunWithHost(TestHost host, string script, IDictionary<string, object?> variables)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(new[] { EngineFixture.ModuleManifest });
        using var runspace = RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        foreach (var (name, value) in variables) runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        var output = ps.Invoke();
        return (new PsRun(output, ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList()), host);
    }
}
