using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

public sealed class WriteEmulatorFixture : IAsyncLifetime
{
    public EmulatorHost Host { get; private set; } = null!;
    public GraphTestClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 3, Records = 50, Days = 20, Now = DateTimeOffset.UtcNow, Throttle = false, LogRows = 10 });
        Client = new GraphTestClient(Host);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}

// Tests in one class run one after another, so the read-only toggle does not race the other writes.
public sealed class WriteTests(WriteEmulatorFixture f) : IClassFixture<WriteEmulatorFixture>
{
    private const string Records = "v1.0/communications/callRecords";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task CreatedRecordsGet201AnIdAndJoinTheListingInStartOrder()
    {
        var start = f.Host.Now.AddHours(-2);
        var body = new JsonObject
        {
            ["type"] = "groupCall", ["modalities"] = new JsonArray("audio", "video"), ["startDateTime"] = Iso(start), ["endDateTime"] = Iso(start.AddMinutes(30)),
            ["sessions"] = new JsonArray(new JsonObject { ["modalities"] = new JsonArray("audio"), ["startDateTime"] = Iso(start), ["endDateTime"] = Iso(start.AddMinutes(1)) }),
            ["participants_v2"] = new JsonArray(new JsonObject { ["id"] = "seeded-user-1" }),
        };
        var r = await f.Client.SendAsync(HttpMethod.Post, Records, body);
        Assert.Equal(HttpStatusCode.Created, r.Status);
        var id = r.Body!["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _));
        Assert.EndsWith($"/communications/callRecords/{id}", r.Message.Headers.Location!.ToString());

        var listed = GraphAssert.Ids(await f.Client.GetAllPagesAsync(Records));
        var expectedOrder = f.Host.Data.Records.Select(x => (x.StartDateTime, x.Id))
            .Append((StartDateTime: start, Id: id)).OrderBy(x => x.StartDateTime).Select(x => x.Id);
        Assert.Equal(expectedOrder, listed.Where(x => x == id || f.Host.Data.Records.Any(d => d.Id == x)));

        var byParticipant = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{Records}?$filter=participants_v2/any(p:p/id eq 'seeded-user-1')"));
        Assert.Equal(new[] { id }, byParticipant);
        var sessions = await f.Client.GetAsync($"{Records}/{id}/sessions");
        Assert.Single(sessions.Body!["value"]!.AsArray());

        var withId = await f.Client.SendAsync(HttpMethod.Post, Records, new JsonObject { ["id"] = "my-own-id", ["startDateTime"] = Iso(start), ["endDateTime"] = Iso(start) });
        Assert.Equal("my-own-id", withId.Body!["id"]!.GetValue<string>());
        GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Post, Records, new JsonObject { ["id"] = "my-own-id", ["startDateTime"] = Iso(start), ["endDateTime"] = Iso(start) }),
            HttpStatusCode.Conflict, "Conflict");
    }

    [Fact]
    public async Task SessionsAndSegmentsCanBeAddedChangedAndDeleted()
    {
        var rec = f.Host.Data.Records[^1];
        var before = f.Host.Data.BuildSessions(rec.Index).Count;
        var start = rec.StartDateTime;
        var created = await f.Client.SendAsync(HttpMethod.Post, $"{Records}/{rec.Id}/sessions",
            new JsonObject { ["modalities"] = new JsonArray("audio"), ["startDateTime"] = Iso(start), ["endDateTime"] = Iso(start.AddMinutes(2)) });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var sid = created.Body!["id"]!.GetValue<string>();
        var all = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{Records}/{rec.Id}/sessions"));
        Assert.Equal(before + 1, all.Count);
        Assert.Contains(sid, all);

        var patched = await f.Client.SendAsync(HttpMethod.Patch, $"{Records}/{rec.Id}/sessions/{sid}", new JsonObject { ["isTest"] = true });
        Assert.Equal(HttpStatusCode.NoContent, patched.Status);
        Assert.True((await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/{sid}")).Body!["isTest"]!.GetValue<bool>());

        var seg = await f.Client.SendAsync(HttpMethod.Post, $"{Records}/{rec.Id}/sessions/{sid}/segments",
            new JsonObject { ["startDateTime"] = Iso(start), ["endDateTime"] = Iso(start.AddMinutes(1)) });
        Assert.Equal(HttpStatusCode.Created, seg.Status);
        var segs = await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/{sid}/segments");
        Assert.Equal(new[] { seg.Body!["id"]!.GetValue<string>() }, segs.Body!["value"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await f.Client.SendAsync(HttpMethod.Delete, $"{Records}/{rec.Id}/sessions/{sid}")).Status);
        GraphAssert.Error(await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/{sid}"), HttpStatusCode.NotFound, "NotFound");
        GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Delete, $"{Records}/{rec.Id}/sessions/{sid}"), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal(before, GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{Records}/{rec.Id}/sessions")).Count);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"startDateTime\":\"2026-01-01T00:00:00Z\",\"endDateTime\":\"2026-01-01T00:01:00Z\",\"type\":\"conference\"}")]
    [InlineData("{\"startDateTime\":\"2026-01-01T00:00:00Z\",\"endDateTime\":\"2026-01-01T00:01:00Z\",\"modalities\":[\"telepathy\"]}")]
    [InlineData("{\"startDateTime\":\"2026-01-01T00:00:00Z\",\"endDateTime\":\"2025-12-31T00:00:00Z\"}")]
    [InlineData("{\"startDateTime\":42,\"endDateTime\":\"2026-01-01T00:01:00Z\"}")]
    [InlineData("{\"startDateTime\":\"2026-01-01T00:00:00Z\",\"endDateTime\":\"2026-01-01T00:01:00Z\",\"version\":\"two\"}")]
    [InlineData("{\"endDateTime\":\"2026-01-01T00:01:00Z\"}")]
    public async Task InvalidBodiesGetGraphShaped400(string raw)
    {
        GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Post, Records, rawBody: raw), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task InvalidSessionPatchIsRefusedAndChangesNothing()
    {
        var rec = f.Host.Data.Records[0];
        var sid = f.Host.Data.BuildSessions(rec.Index)[0]!["id"]!.GetValue<string>();
        GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Patch, $"{Records}/{rec.Id}/sessions/{sid}", new JsonObject { ["modalities"] = new JsonArray("smell") }),
            HttpStatusCode.BadRequest, "BadRequest");
        GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Patch, $"{Records}/{rec.Id}/sessions/{sid}",
            new JsonObject { ["endDateTime"] = Iso(rec.StartDateTime.AddDays(-1)) }), HttpStatusCode.BadRequest, "BadRequest");
        var after = await f.Client.GetAsync($"{Records}/{rec.Id}/sessions/{sid}");
        Assert.Equal(f.Host.Data.BuildSessions(rec.Index)[0]!["endDateTime"]!.GetValue<string>(), after.Body!["endDateTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadOnlyRefusesWritesButServesReads()
    {
        using var http = new HttpClient { BaseAddress = f.Host.BaseAddress };
        (await http.PutAsJsonAsync("_emulator/readonly", new { readOnly = true })).EnsureSuccessStatusCode();
        try
        {
            var rec = f.Host.Data.Records[1];
            var start = Iso(rec.StartDateTime);
            GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Post, Records, new JsonObject { ["startDateTime"] = start, ["endDateTime"] = start }),
                HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
            GraphAssert.Error(await f.Client.SendAsync(HttpMethod.Post, $"{Records}/{rec.Id}/sessions", new JsonObject()), HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
            Assert.Equal(HttpStatusCode.OK, (await f.Client.GetAsync($"{Records}/{rec.Id}")).Status);
        }
        finally
        {
            f.Host.Control.ReadOnly = false;
        }
        Assert.False(f.Host.Control.ReadOnly);
    }
}
