using System.Globalization;
using System.Net;
using GraphEmulator.Data;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

[Collection(SharedEmulatorCollection.Name)]
public sealed class PstnLogTests(SharedEmulatorFixture f)
{
    private static string D(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string T(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static List<string> Expected(LogTable t, DateTimeOffset from, DateTimeOffset to, bool toInclusive) =>
        Enumerable.Range(0, t.Count).Where(i => t.Timestamp(i) >= from && (toInclusive ? t.Timestamp(i) <= to : t.Timestamp(i) < to)).Select(t.Id).ToList();

    [Fact]
    public async Task PstnCallsPageBy1000WithCountAndSkipNextLinks()
    {
        var to = new DateTimeOffset(SharedEmulatorFixture.FixedNow.UtcDateTime.Date, TimeSpan.Zero);
        var from = to.AddDays(-89);
        var expected = Expected(f.Host.Data.PstnCalls, from, to, toInclusive: true);
        Assert.True(expected.Count > 1000, "the range should need more than one page");
        var pages = await f.Client.GetAllPagesAsync($"v1.0/communications/callRecords/getPstnCalls(fromDateTime={D(from)},toDateTime={D(to)})");
        // "The number of records in this response": each page's own rows, not the range total.
        Assert.All(pages, p => Assert.Equal(p["value"]!.AsArray().Count, p["@odata.count"]!.GetValue<int>()));
        Assert.Equal(1000, pages[0]["@odata.count"]!.GetValue<int>());
        Assert.Equal(1000, pages[0]["value"]!.AsArray().Count);
        Assert.Equal(expected, GraphAssert.Ids(pages));
        var link = pages[0]["@odata.nextLink"]!.GetValue<string>();
        // Shaped like the docs' example: renamed parameters and $skip.
        Assert.Contains($"getPstnCalls(from={D(from)},to={D(to)})?$skip=1000", link);
        Assert.Contains("pstnCallLogRow", pages[0]["@odata.context"]!.GetValue<string>());
    }

    [Fact]
    public async Task BothParameterSpellingsAndTheQualifiedNameAgree()
    {
        var to = SharedEmulatorFixture.FixedNow.AddDays(-3);
        var from = to.AddDays(-20);
        var a = await f.Client.GetAsync($"v1.0/communications/callRecords/getDirectRoutingCalls(fromDateTime={T(from)},toDateTime={T(to)})");
        var b = await f.Client.GetAsync($"v1.0/communications/callRecords/getDirectRoutingCalls(from={T(from)},to={T(to)})");
        var c = await f.Client.GetAsync($"v1.0/communications/callRecords/microsoft.graph.callRecords.getDirectRoutingCalls(fromDateTime={T(from)},toDateTime={T(to)})");
        Assert.Equal(HttpStatusCode.OK, a.Status);
        var ids = GraphAssert.Ids(new[] { a.Body! });
        Assert.NotEmpty(ids);
        Assert.Equal(ids, GraphAssert.Ids(new[] { b.Body! }));
        Assert.Equal(ids, GraphAssert.Ids(new[] { c.Body! }));
    }

    [Fact]
    public async Task ToDateTimeIsInclusiveForPstnAndExclusiveForDirectRouting()
    {
        foreach (var (name, table, inclusive) in new[] { ("getPstnCalls", f.Host.Data.PstnCalls, true), ("getDirectRoutingCalls", f.Host.Data.DirectRoutingCalls, false) })
        {
            var k = table.Count - 10;
            var to = table.Timestamp(k);
            var from = to.AddDays(-1);
            var r = await f.Client.GetAsync($"v1.0/communications/callRecords/{name}(fromDateTime={T(from)},toDateTime={T(to)})");
            var ids = GraphAssert.Ids(new[] { r.Body! });
            Assert.Equal(Expected(table, from, to, inclusive), ids);
            Assert.Equal(inclusive, ids.Contains(table.Id(k)));
        }
    }

    [Fact]
    public async Task RangesOver90DaysAreRefused()
    {
        var to = SharedEmulatorFixture.FixedNow;
        var ok = await f.Client.GetAsync($"v1.0/communications/callRecords/getPstnCalls(fromDateTime={T(to.AddDays(-90))},toDateTime={T(to)})");
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        var r = await f.Client.GetAsync($"v1.0/communications/callRecords/getPstnCalls(fromDateTime={D(to.AddDays(-91))},toDateTime={D(to)})");
        GraphAssert.Error(r, HttpStatusCode.NotAcceptable, "NotAcceptable");
        GraphAssert.Error(await f.Client.GetAsync($"v1.0/communications/callRecords/getPstnCalls(fromDateTime={D(to)},toDateTime={D(to.AddDays(-1))})"),
            HttpStatusCode.BadRequest, "BadRequest");
        GraphAssert.Error(await f.Client.GetAsync("v1.0/communications/callRecords/getPstnCalls(fromDateTime=yesterday,toDateTime=today)"),
            HttpStatusCode.BadRequest, "BadRequest");
    }

    [Theory]
    [InlineData("getSmsLog")]
    [InlineData("getPstnBlockedUsersLog")]
    [InlineData("getPstnOnlineMeetingDialoutReport")]
    public async Task BetaOnlyLogsExistOnlyOnBeta(string name)
    {
        var to = SharedEmulatorFixture.FixedNow;
        var from = to.AddDays(-60);
        var onV1 = await f.Client.GetAsync($"v1.0/communications/callRecords/{name}(fromDateTime={D(from)},toDateTime={D(to)})");
        GraphAssert.Error(onV1, HttpStatusCode.BadRequest, "BadRequest");
        var onBeta = await f.Client.GetAsync($"beta/communications/callRecords/{name}(fromDateTime={D(from)},toDateTime={D(to)})");
        Assert.Equal(HttpStatusCode.OK, onBeta.Status);
        Assert.Equal(onBeta.Body!["value"]!.AsArray().Count, Math.Min(1000, onBeta.Body["@odata.count"]!.GetValue<int>()));
    }
}
