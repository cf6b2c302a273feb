using System.Globalization;
using System.Net;
using CallRecords.PS.Tests.TestSupport;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

[Collection(SharedEmulatorCollection.Name)]
public sealed class CallRecordListTests(SharedEmulatorFixture f)
{
    private const string List = "v1.0/communications/callRecords";

    private static string Lit(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task DefaultPagingReturnsEveryRetainedRecordOnceIn60s()
    {
        var pages = await f.Client.GetAllPagesAsync(List);
        var ids = GraphAssert.Ids(pages);
        Assert.All(pages, p => Assert.True(p["value"]!.AsArray().Count <= 60));
        Assert.Equal(60, pages[0]["value"]!.AsArray().Count);
        TruthAssert.Equal(f.Host.Truth.Records(), ids, "pages of the listing");
        Assert.EndsWith("/v1.0/$metadata#communications/callRecords", pages[0]["@odata.context"]!.GetValue<string>());
        // List items carry no sessions or participants_v2, but organizer_v2 inline (expanded by default, as in
        // Graph's examples), on every item.
        var first = pages[0]["value"]![0]!.AsObject();
        Assert.False(first.ContainsKey("sessions"));
        Assert.False(first.ContainsKey("participants_v2"));
        foreach (var item in pages.SelectMany(p => p["value"]!.AsArray()).Select(n => n!.AsObject()))
        {
            var id = item["id"]!.GetValue<string>();
            Assert.Equal(f.Host.Truth.OrganizerId(id), item["organizer_v2"]?["id"]?.GetValue<string>());
            Assert.EndsWith($"/v1.0/$metadata#communications/callRecords('{id}')/organizer_v2/$entity", item["organizer_v2@odata.context"]!.GetValue<string>());
        }
        Assert.Equal(first["id"]!.GetValue<string>(), f.Retained[0].Id);
    }

    [Fact]
    public async Task MaxPageSizeIsHonouredAndAcknowledged()
    {
        void Prefer(HttpRequestMessage m) => m.Headers.Add("Prefer", "odata.maxpagesize=25");
        var first = await f.Client.GetAsync(List, Prefer);
        Assert.Equal("odata.maxpagesize=25", first.Header("Preference-Applied"));
        var pages = await f.Client.GetAllPagesAsync(List, Prefer);
        Assert.All(pages, p => Assert.True(p["value"]!.AsArray().Count <= 25));
        TruthAssert.Equal(f.Host.Truth.Records(), GraphAssert.Ids(pages), "pages of 25");
        var link = pages[0]["@odata.nextLink"]!.GetValue<string>();
        Assert.StartsWith(f.Host.BaseAddress + "v1.0/communications/callRecords?$skiptoken=", link);
        Assert.DoesNotContain("skip=", link.Replace("skiptoken=", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordsOlderThan30DaysAreNeverListedNorFetchable()
    {
        var old = f.Host.Data.Records.Where(r => r.StartDateTime < SharedEmulatorFixture.FixedNow.AddDays(-30)).ToList();
        Assert.NotEmpty(old);
        // Even a filter reaching back past retention returns only retained records.
        var ids = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{List}?$filter=startDateTime ge {Lit(SharedEmulatorFixture.FixedNow.AddDays(-60))}"));
        Assert.Empty(ids.Intersect(old.Select(o => o.Id)));
        TruthAssert.Equal(f.Host.Truth.Records(), ids, "records listed from 60 days back");
        var r = await f.Client.GetAsync($"{List}/{old[^1].Id}");
        GraphAssert.Error(r, HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task StartDateTimeFiltersSelectTheRightRecords()
    {
        var retained = f.Retained;
        var a = retained[retained.Count / 4];
        var b = retained[retained.Count / 2];
        var expectedGeLt = retained.Where(r => r.StartDateTime >= a.StartDateTime && r.StartDateTime < b.StartDateTime).Select(r => r.Id).ToList();
        var geLt = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{List}?$filter=startDateTime ge {Lit(a.StartDateTime)} and startDateTime lt {Lit(b.StartDateTime)}"));
        Assert.Equal(expectedGeLt, geLt);
        Assert.Contains(a.Id, geLt);
        Assert.DoesNotContain(b.Id, geLt);

        var gtLe = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{List}?$filter=startDateTime gt {Lit(a.StartDateTime)} and startDateTime le {Lit(b.StartDateTime)}"));
        Assert.Equal(retained.Where(r => r.StartDateTime > a.StartDateTime && r.StartDateTime <= b.StartDateTime).Select(r => r.Id), gtLe);
        Assert.DoesNotContain(a.Id, gtLe);
        Assert.Contains(b.Id, gtLe);

        // Whole-second literal without fractional digits.
        var day = new DateTimeOffset(SharedEmulatorFixture.FixedNow.UtcDateTime.Date.AddDays(-3), TimeSpan.Zero);
        var oneDay = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{List}?$filter=startDateTime ge {day:yyyy-MM-dd'T'HH:mm:ss'Z'} and startDateTime lt {day.AddDays(1):yyyy-MM-dd'T'HH:mm:ss'Z'}"));
        Assert.Equal(retained.Where(r => r.StartDateTime >= day && r.StartDateTime < day.AddDays(1)).Select(r => r.Id), oneDay);
    }

    [Fact]
    public async Task ParticipantFilterAloneAndWithStartDateTime()
    {
        var retained = f.Retained;
        var pid = retained.SelectMany(r => r.ParticipantIds).GroupBy(x => x).OrderByDescending(g => g.Count()).First().Key;
        var expected = retained.Where(r => r.ParticipantIds.Contains(pid)).Select(r => r.Id).ToList();
        var ids = GraphAssert.Ids(await f.Client.GetAllPagesAsync($"{List}?$filter=participants_v2/any(p:p/id eq '{pid}')"));
        Assert.Equal(expected, ids);

        var mid = retained[retained.Count / 2].StartDateTime;
        var combined = GraphAssert.Ids(await f.Client.GetAllPagesAsync(
            $"{List}?$filter=startDateTime ge {Lit(mid)} and participants_v2/any(x:x/id eq '{pid}')"));
        Assert.Equal(retained.Where(r => r.StartDateTime >= mid && r.ParticipantIds.Contains(pid)).Select(r => r.Id), combined);

        var none = await f.Client.GetAsync($"{List}?$filter=participants_v2/any(p:p/id eq 'o''brien')");
        Assert.Equal(HttpStatusCode.OK, none.Status);
        Assert.Empty(none.Body!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("startDateTime eq 2026-06-01T00:00:00Z")]
    [InlineData("startDateTime ge 2026-06-01T00:00:00Z or startDateTime lt 2026-06-02T00:00:00Z")]
    [InlineData("type eq 'groupCall'")]
    [InlineData("endDateTime ge 2026-06-01T00:00:00Z")]
    [InlineData("contains(id,'a')")]
    [InlineData("participants_v2/any(p:p/id ne 'x')")]
    [InlineData("startDateTime ge '2026-06-01T00:00:00Z'")]
    [InlineData("startDateTime ge yesterday")]
    public async Task UnsupportedFiltersAreRefusedWith400(string filter)
    {
        var r = await f.Client.GetAsync($"{List}?$filter={Uri.EscapeDataString(filter)}");
        var error = GraphAssert.Error(r, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("filter", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("$expand=sessions")]
    [InlineData("$top=10")]
    [InlineData("$orderby=startDateTime")]
    [InlineData("$count=true")]
    public async Task UnsupportedQueryOptionsOnTheListAreRefused(string query)
    {
        GraphAssert.Error(await f.Client.GetAsync($"{List}?{query}"), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task SelectReturnsOnlyTheChosenPropertiesAcrossPages()
    {
        void Prefer(HttpRequestMessage m) => m.Headers.Add("Prefer", "odata.maxpagesize=200");
        var pages = await f.Client.GetAllPagesAsync($"{List}?$select=id,startDateTime", Prefer);
        Assert.True(pages.Count > 1);
        foreach (var item in pages.SelectMany(p => p["value"]!.AsArray()))
            Assert.Equal(new[] { "id", "startDateTime" }, item!.AsObject().Select(kv => kv.Key).OrderBy(k => k));
        Assert.Contains("callRecords(id,startDateTime)", pages[0]["@odata.context"]!.GetValue<string>());
        GraphAssert.Error(await f.Client.GetAsync($"{List}?$select=id,nonsense"), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task TamperedSkipTokenIsRefused()
    {
        var first = await f.Client.GetAsync(List);
        var link = first.Body!["@odata.nextLink"]!.GetValue<string>();
        var i = link.IndexOf("$skiptoken=", StringComparison.Ordinal) + 15;
        var flipped = link[..i] + (link[i] == 'A' ? 'B' : 'A') + link[(i + 1)..];
        GraphAssert.Error(await f.Client.GetAsync(flipped), HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task EveryResponseCarriesRequestIdsAndDate()
    {
        var echoed = await f.Client.GetAsync(List, m => m.Headers.Add("client-request-id", "my-correlation-1"));
        Assert.Equal("my-correlation-1", echoed.Header("client-request-id"));
        Assert.True(Guid.TryParse(echoed.Header("request-id"), out _));
        Assert.NotNull(echoed.Message.Headers.Date);

        var generated = await f.Client.GetAsync(List);
        Assert.True(Guid.TryParse(generated.Header("client-request-id"), out _));
        Assert.NotEqual(echoed.Header("request-id"), generated.Header("request-id"));

        var error = await f.Client.GetAsync($"{List}/no-such-record", m => m.Headers.Add("client-request-id", "my-correlation-2"));
        Assert.Equal("my-correlation-2", GraphAssert.Error(error, HttpStatusCode.NotFound, "NotFound")["innerError"]!["client-request-id"]!.GetValue<string>());
        var logged = f.Host.Requests.Single(e => e.ClientRequestId == "my-correlation-2");
        Assert.Equal(404, logged.Status);
        Assert.Equal(error.Header("request-id"), logged.RequestId);
    }
}
