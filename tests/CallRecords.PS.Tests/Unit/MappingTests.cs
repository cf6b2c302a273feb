using System.Text.Json;
using CallRecords.Models;
using CallRecords.Models.Mapping;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>Mapping of Microsoft's published example payloads (Samples/) and of payload shapes the samples lack.</summary>
public sealed class MappingTests
{
    private static JsonDocument Sample(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name)));

    [Fact]
    public void CallRecordGet()
    {
        using var doc = Sample("v1.0-callrecord-get.json");
        var r = CallRecordMapper.MapCallRecord(doc.RootElement);
        Assert.Equal("e523d2ed-2966-4b6b-925b-754a88034cc5", r.Id);
        Assert.Equal(1L, r.Version);
        Assert.Equal("peerToPeer", r.Type);
        Assert.Equal("audio", r.Modalities.ToString());
        Assert.Equal(new DateTimeOffset(2020, 2, 25, 18, 52, 21, TimeSpan.Zero).AddTicks(2169889), r.StartDateTime);
        Assert.Equal(TimeSpan.Zero, r.StartDateTime!.Value.Offset);
        Assert.Equal(r.EndDateTime - r.StartDateTime, r.Duration);
        Assert.Equal(new DateTimeOffset(2020, 2, 25, 19, 0, 24, TimeSpan.Zero).AddTicks(5827570), r.LastModifiedDateTime);
        // The v1 organizer/participants fields are deprecated and ignored; without organizer_v2 there is no organizer.
        Assert.Null(r.Organizer);
        Assert.Null(r.OrganizerName);
        Assert.Null(r.Sessions);
        Assert.Null(r.Participants);
    }

    [Fact]
    public void CallRecordWithSessionsSegmentsMediaAndStreams()
    {
        using var doc = Sample("v1.0-callrecord-get-expand-sessions.json");
        var r = CallRecordMapper.MapCallRecord(doc.RootElement);
        var session = Assert.Single(r.Sessions!);
        Assert.Equal(r.Id, session.CallRecordId);
        Assert.Equal("participant", session.Caller!.Kind);
        Assert.Equal("Abbie Wilkins", session.CallerName);
        Assert.Equal("user", session.Caller.Identity!.Kind);
        Assert.Equal("dc368399-474c-4d40-900c-6265431fd81f", session.Caller.Identity.TenantId);
        Assert.Equal("client", session.Caller.UserAgent!.Kind);
        Assert.Equal("android", session.Caller.UserAgent.Platform);
        Assert.Equal("skypeForBusiness", session.Caller.UserAgent.ProductFamily);
        Assert.Equal("poor", session.Callee!.Feedback!.Rating);
        Assert.Equal("Noisy", session.Callee.Feedback.Tokens.ToString());

        var segment = Assert.Single(session.Segments!);
        Assert.Equal(session.Id, segment.SessionId);
        Assert.Equal(r.Id, segment.CallRecordId);
        var media = Assert.Single(segment.Media);
        Assert.Equal("main-audio", media.Label);
        Assert.Equal(4294967295L, media.CalleeNetwork!.LinkSpeed); // Int64 beyond 2^31
        Assert.Equal("wired", media.CalleeNetwork.ConnectionType);
        Assert.Equal(27288, media.CallerNetwork!.Port);
        Assert.Null(media.CallerNetwork.DnsSuffix);
        Assert.Equal(-10, media.CallerDevice!.ReceivedSignalLevel);
        Assert.Equal(60.25816f, media.CallerDevice.InitialSignalLevelRootMeanSquare);
        Assert.Equal(2, media.Streams.Count);
        var first = media.Streams[0];
        Assert.Equal("callerToCallee", first.StreamDirection);
        Assert.Null(first.AverageAudioDegradation);
        Assert.Equal(TimeSpan.FromMilliseconds(16), first.AverageJitter);
        Assert.Equal(TimeSpan.FromMilliseconds(61), first.AverageRoundTripTime);
        Assert.Equal(9965083L, first.AverageBandwidthEstimate);
        Assert.False(first.WasMediaBypassed);
        var second = media.Streams[1];
        Assert.Equal(1.160898f, second.AverageAudioDegradation);
        Assert.Equal(0.06233422f, second.AverageRatioOfConcealedSamples);
    }

    [Fact]
    public void SessionListWithSegments()
    {
        using var doc = Sample("v1.0-session-list-expand-segments.json");
        var sessions = doc.RootElement.GetProperty("value").EnumerateArray().Select(e => CallRecordMapper.MapSession(e, "rec")).ToList();
        var s = Assert.Single(sessions);
        Assert.Equal("rec", s.CallRecordId);
        // Every id of the sample, read from the JSON itself: the session, its segments, their streams.
        var json = doc.RootElement.GetProperty("value")[0];
        Assert.Equal(json.GetProperty("id").GetString(), s.Id);
        Assert.Equal(json.GetProperty("segments").EnumerateArray().Select(g => g.GetProperty("id").GetString()), s.Segments!.Select(g => g.Id));
        Assert.Equal(json.GetProperty("segments").EnumerateArray().SelectMany(g => g.GetProperty("media").EnumerateArray())
                .SelectMany(m => m.GetProperty("streams").EnumerateArray()).Select(st => st.GetProperty("streamId").GetString()),
            s.Segments!.SelectMany(g => g.Media).SelectMany(m => m.Streams).Select(st => st.StreamId));
        Assert.Equal(["1504545584", "1785122252"], s.Segments!.SelectMany(g => g.Media).SelectMany(m => m.Streams).Select(st => st.StreamId!));
        Assert.All(s.Segments!, g => { Assert.Equal("rec", g.CallRecordId); Assert.Equal(s.Id, g.SessionId); });
    }

    [Fact]
    public void ParticipantsV2AndOrganizerV2WithUndeclaredIdentityKinds()
    {
        const string json = """
        {
          "id": "r1", "version": 3, "type": "GroupCall", "modalities": ["Audio", "video", "hologram"],
          "startDateTime": "2026-11-01T10:00:00.1234567Z", "endDateTime": "2026-11-01T10:30:00Z",
          "futureProperty": {"nested": [1, 2]},
          "organizer_v2": { "id": "o1", "identity": { "user": { "id": "u1", "displayName": "Ada", "userPrincipalName": "ada@contoso.com", "tenantId": "t1" } } },
          "participants_v2": [
            { "id": "p1", "identity": { "acsUser": { "id": "8:acs:1", "displayName": "Kiosk" }, "endpointType": "default" },
              "administrativeUnitInfos": [ { "id": "au1" }, { "id": "au2" } ] },
            { "id": "p2", "identity": { "device": { "id": "d" }, "phone": { "id": "+15555550100" } } },
            { "id": "p3", "identity": { "spoolUser": { "id": "s1" } } },
            { "id": "p4", "identity": { "somethingNew": { "id": "n1" } } },
            { "id": "p5", "identity": null }
          ]
        }
        """;
        using var doc = JsonDocument.Parse(json);
        var r = CallRecordMapper.MapCallRecord(doc.RootElement);
        Assert.Equal("groupCall", r.Type);
        Assert.Equal(new[] { "audio", "video", "hologram" }, r.Modalities);
        Assert.Equal("audio;video;hologram", r.Modalities.ToString());
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567), r.StartDateTime);
        Assert.Equal("Ada", r.OrganizerName);
        Assert.Equal("u1", r.OrganizerId);
        Assert.Equal("ada@contoso.com", r.Organizer!.UserPrincipalName);
        Assert.Equal(5, r.ParticipantCount);
        var p = r.Participants!;
        Assert.Equal(("acsUser", "Kiosk", "default"), (p[0].Kind, p[0].DisplayName, p[0].Identity!.EndpointType));
        Assert.Equal("au1;au2", p[0].AdministrativeUnitIds.ToString());
        Assert.Equal(("phone", "+15555550100"), (p[1].Kind, p[1].IdentityId));
        Assert.Equal("spoolUser", p[2].Kind);
        Assert.Equal("somethingNew", p[3].Kind);
        Assert.Null(p[4].Kind);
        Assert.Equal("r1", p[4].CallRecordId);
    }

    [Fact]
    public void WrongKindsAndNullsNeverFail()
    {
        const string json = """
        { "id": "s1", "modalities": "audio", "startDateTime": 12, "endDateTime": "not a date", "isTest": "true",
          "caller": "text", "callee": { "@odata.type": "#microsoft.graph.callRecords.serviceEndpoint",
            "userAgent": { "@odata.type": "#microsoft.graph.callRecords.serviceUserAgent", "role": "MEDIACONTROLLER" } },
          "failureInfo": { "stage": "callSetup", "reason": "x" },
          "segments": [ { "id": "g1", "media": [ { "label": "main-video", "streams": [ {
              "averageJitter": "bogus", "averagePacketLossRate": "NaN", "packetUtilization": "12", "averageVideoFrameRate": 7.5,
              "streamDirection": "sideways" } ] } ] } ] }
        """;
        using var doc = JsonDocument.Parse(json);
        var s = CallRecordMapper.MapSession(doc.RootElement, "r");
        Assert.Empty(s.Modalities);
        Assert.Null(s.StartDateTime);
        Assert.Null(s.EndDateTime);
        Assert.Null(s.Duration);
        Assert.True(s.IsTest);
        Assert.Null(s.Caller);
        Assert.Equal("service", s.Callee!.Kind);
        Assert.Equal("mediaController", s.Callee.UserAgent!.Role);
        Assert.Equal("callSetup: x", s.FailureInfo!.ToString());
        var stream = s.Segments![0].Media[0].Streams[0];
        Assert.Null(stream.AverageJitter);
        Assert.True(float.IsNaN(stream.AveragePacketLossRate!.Value));
        Assert.Equal(12L, stream.PacketUtilization);
        Assert.Equal(7.5f, stream.AverageVideoFrameRate);
        Assert.Equal("sideways", stream.StreamDirection);
    }

    [Fact]
    public void NoTextFormShowsATypeName()
    {
        using var doc = Sample("v1.0-callrecord-get-expand-sessions.json");
        var r = CallRecordMapper.MapCallRecord(doc.RootElement);
        r.Participants = new ModelList<CallRecordParticipant>(new[] { new CallRecordParticipant { Id = "p", Identity = new CallRecordIdentity { DisplayName = "Ada" } } });
        var texts = typeof(CallRecord).GetProperties().Select(p => p.GetValue(r)?.ToString() ?? "").ToList();
        Assert.DoesNotContain(texts, t => t.Contains("System.", StringComparison.Ordinal) || t.Contains("CallRecords.", StringComparison.Ordinal));
        Assert.Contains("Ada", texts);
        Assert.Contains(r.Sessions![0].Id, texts);
    }
}
