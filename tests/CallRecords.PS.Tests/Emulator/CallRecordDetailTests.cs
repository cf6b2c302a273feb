using System.Net;
using System.Text.Json.Nodes;
using CallRecords.PS.Tests.TestSupport;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

[Collection(SharedEmulatorCollection.Name)]
public sealed class CallRecordDetailTests(SharedEmulatorFixture f)
{
    private const string Records = "v1.0/communications/callRecords";

    private GraphEmulator.Data.CallRecordEntry Big(Func<GraphEmulator.Data.CallRecordEntry, bool> pick) =>
        f.Retained.FirstOrDefault(pick) ?? throw new Xunit.Sdk.XunitException("The data set has no record big enough for nested paging.");

    [Fact]
    public async Task ExpandedSessionsAreCappedAt60AndTheNestedNextLinkReachesEverySessionOnce()
    {
        var rec = Big(r => r.SessionCount > 60);
        var r = await f.Client.GetAsync($"{Records}/{rec.Id}?$expand=sessions($expand=segments)");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Contains("callRecords(sessions(segments()))/$entity", r.Body!["@odata.context"]!.GetValue<string>());
        var inline = r.Body["sessions"]!.AsArray();
        Assert.Equal(60, inline.Count);
        Assert.All(inline, s => Assert.NotNull(s!["segments"]));
        var next = r.Body["sessions@odata.nextLink"]!.GetValue<string>();
        Assert.StartsWith($"{f.Host.BaseAddress}v1.0/communications/callRecords/{rec.Id}/sessions?", next);
        Assert.Contains("$expand=segments", next);
        var rest = await f.Client.GetAllPagesAsync(next);
        Assert.All(rest, p => Assert.True(p["value"]!.AsArray().Count <= 60));
        Assert.All(rest.SelectMany(p => p["value"]!.AsArray()), s => Assert.NotNull(s!["segments"]));
        var ids = inline.Select(s => s!["id"]!.GetValue<string>()).Concat(GraphAssert.Ids(rest)).ToList();
        TruthAssert.Equal(f.Host.Truth.Sessions(rec.Id)!.Select(x => x.Id), ids, "inline sessions and their nextLink pages");
    }

    [Fact]
    public async Task ExpandSessionsWithoutSegmentsOmitsThem()
    {
        var rec = f.Retained[0];
        var r = await f.Client.GetAsync($"{Records}/{rec.Id}?$expand=sessions");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.All(r.Body!["sessions"]!.AsArray(), s => Assert.False(s!.AsObject().ContainsKey("segments")));
        Assert.Equal(Math.Min(60, rec.SessionCount), r.Body["sessions"]!.AsArray().Count);
    }

    [Fact]
    public async Task ExpandedParticipantsAreCappedAt130AndTheNestedNextLinkReachesEveryParticipantOnce()
    {
        var rec = Big(r => r.ParticipantCount > 130);
        var r = await f.Client.GetAsync($"{Records}/{rec.Id}?$expand=participants_v2");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var inline = r.Body!["participants_v2"]!.AsArray();
        Assert.Equal(130, inline.Count);
        var next = r.Body["participants_v2@odata.nextLink"]!.GetValue<string>();
        Assert.StartsWith($"{f.Host.BaseAddress}v1.0/communications/callRecords/{rec.Id}/participants_v2?", next);
        var rest = await f.Client.GetAllPagesAsync(next);
        Assert.All(rest, p => Assert.True(p["value"]!.AsArray().Count <= 130));
        var ids = inline.Select(p => p!["id"]!.GetValue<string>()).Concat(GraphAssert.Ids(rest)).ToList();
        Assert.Equal(rec.ParticipantCount, ids.Count);
        Assert.Equal(f.Host.Data.BuildParticipants(rec.Index).Select(p => p!["id"]!.GetValue<string>()), ids);
    }

    [Fact]
    public async Task ChildRoutesPageAndFindSessionsSegmentsAndOrganizer()
    {
        var rec = Big(r => r.SessionCount > 60);
        var pages = await f.Client.GetAllPagesAsync($"{Records}/{rec.Id}/sessions");
        Assert.True(pages.Count >= 2);
        Assert.Equal(60, pages[0]["value"]!.AsArray().Count);
        TruthAssert.Equal(f.Host.Truth.Sessions(rec.Id)!.Select(x => x.Id), GraphAssert.Ids(pages), "pages of sessions");
        Assert.All(pages.SelectMany(p => p["value"]!.AsArray()), s => Assert.False(s!.AsObject().ContainsKey("segments")));

        var expected = f.Host.Data.BuildSessions(rec.Index)[61]!.AsObject();
        var sid = expected["id"]!.GetValue<string>();
        var one = await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/{sid}?$expand=segments");
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal(sid, one.Body!["id"]!.GetValue<string>());
        var segs = await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/{sid}/segments");
        Assert.Equal(HttpStatusCode.OK, segs.Status);
        TruthAssert.Equal(f.Host.Truth.Sessions(rec.Id)!.Single(x => x.Id == sid).SegmentIds, GraphAssert.Ids([segs.Body!]), "segments of one session");
        Assert.Equal(one.Body!["segments"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()), segs.Body!["value"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));

        var org = await f.Client.GetAsync($"{Records}/{rec.Id}/organizer_v2");
        Assert.Equal(HttpStatusCode.OK, org.Status);
        Assert.Equal(f.Host.Data.BuildOrganizer(rec.Index)["id"]!.GetValue<string>(), org.Body!["id"]!.GetValue<string>());

        GraphAssert.Error(await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/no-such-session"), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task SelectOnOneRecord()
    {
        var rec = f.Retained[3];
        var r = await f.Client.GetAsync($"{Records}/{rec.Id}?$select=id,type,version");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal(new[] { "id", "type", "version" }, r.Body!.Where(kv => !kv.Key.StartsWith('@')).Select(kv => kv.Key).OrderBy(k => k));
        Assert.Equal(rec.Type, r.Body!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownIdsAndRefusedExpandsGetGraphErrors()
    {
        GraphAssert.Error(await f.Client.GetAsync($"{Records}/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "NotFound");
        var rec = f.Retained[0];
        GraphAssert.Error(await f.Client.GetAsync($"{Records}/{rec.Id}?$expand=sessions,participants_v2"), HttpStatusCode.BadRequest, "BadRequest");
        GraphAssert.Error(await f.Client.GetAsync($"{Records}/{rec.Id}?$expand=nonsense"), HttpStatusCode.BadRequest, "BadRequest");
        GraphAssert.Error(await f.Client.GetAsync($"{Records}/{rec.Id}/nonsense"), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task BetaServesTheSameRecords()
    {
        var rec = f.Retained[1];
        var r = await f.Client.GetAsync($"beta/communications/callRecords/{rec.Id}");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Contains("/beta/$metadata#", r.Body!["@odata.context"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(f.Host.Data.BuildCallRecord(rec.Index)["startDateTime"]!.ToJsonString())!.GetValue<string>(), r.Body["startDateTime"]!.GetValue<string>());
    }
}
