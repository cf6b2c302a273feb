using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

/// <summary>Issue #19: where the emulator is now as strict as Graph (keyset ties, organizer_v2 inline, OData date-time
/// literals, per-page @odata.count, beta row shapes, evolvable enums, 429/503 without Retry-After, the per-function
/// PSTN limit, and the list's page-size maximum in cap and refuse modes).</summary>
public class StrictnessTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private const string Select = "v1.0/communications/callRecords?$select=id,startDateTime";

    private static Task<EmulatorHost> StartAsync(int seed = 1, int records = 100, Action<EmulatorOptions>? change = null)
    {
        var o = new EmulatorOptions { Seed = seed, Records = records, Days = 30, Now = Now, LogRows = 10, Throttle = false };
        change?.Invoke(o);
        return EmulatorHost.StartAsync(o);
    }

    private static Action<HttpRequestMessage>? PageSize(int size) =>
        size == 60 ? null : m => m.Headers.Add("Prefer", "odata.maxpagesize=" + size.ToString(CultureInfo.InvariantCulture));

    /// <summary>Pages whose last record shares its start with the next page's first one: the tie case itself.</summary>
    private static int TiesAcrossPages(IReadOnlyList<JsonObject> pages)
    {
        var ties = 0;
        for (var k = 0; k + 1 < pages.Count; k++)
        {
            var a = pages[k]["value"]!.AsArray();
            var b = pages[k + 1]["value"]!.AsArray();
            if (a.Count > 0 && b.Count > 0 && a[^1]!["startDateTime"]!.GetValue<string>() == b[0]!["startDateTime"]!.GetValue<string>()) ties++;
        }
        return ties;
    }

    [Fact]
    public async Task KeysetPagingReturnsTheTruthForEverySeedCountAndPageSize()
    {
        await using var host = await StartAsync();
        using var client = new GraphTestClient(host);
        var ties = 0;
        foreach (var seed in new[] { 1, 3, 9, 42 })
        foreach (var count in new[] { 6000, 2999, 61 })
        {
            await host.ResetAsync(seed, count);
            var truth = host.Truth.Records();
            foreach (var size in new[] { 60, 7, 999 })
            {
                var pages = await client.GetAllPagesAsync(Select, PageSize(size), maxPages: 2000);
                var ids = GraphAssert.Ids(pages);
                TruthAssert.Equal(truth, ids, $"seed {seed}, {count} records, pages of {size}");
                Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
                ties += TiesAcrossPages(pages);
            }
        }
        // The defect needed two records with one start on either side of a page boundary; prove that happened.
        Assert.True(ties > 0, "no page boundary fell between two records with the same start");
    }

    [Fact]
    public async Task KeysetPagingPropertyOverManySeeds()
    {
        await using var host = await StartAsync();
        using var client = new GraphTestClient(host);
        int[] sizes = [2, 3, 5, 7, 11, 60, 999];
        var ties = 0;
        for (var seed = 100; seed < 164; seed++)
        {
            var count = 40 + seed * 37 % 1500;
            var size = sizes[seed % sizes.Length];
            await host.ResetAsync(seed, count);
            var pages = await client.GetAllPagesAsync(Select, PageSize(size), maxPages: 2000);
            TruthAssert.Equal(host.Truth.Records(), GraphAssert.Ids(pages), $"seed {seed}, {count} records, pages of {size}");
            ties += TiesAcrossPages(pages);
        }
        Assert.True(ties > 0, "no page boundary fell between two records with the same start");
    }

    [Fact]
    public async Task GetCarriesOrganizerV2InlineWithOrWithoutExpand()
    {
        await using var host = await StartAsync();
        using var client = new GraphTestClient(host);
        var id = host.Truth.Records()[5];
        foreach (var query in new[] { "", "?$expand=sessions($expand=segments)", "?$expand=participants_v2", "?$expand=organizer_v2" })
        {
            var r = await client.GetAsync($"v1.0/communications/callRecords/{id}{query}");
            Assert.Equal(HttpStatusCode.OK, r.Status);
            Assert.Equal(host.Truth.OrganizerId(id), r.Body!["organizer_v2"]!["id"]!.GetValue<string>());
            Assert.EndsWith($"callRecords('{id}')/organizer_v2/$entity", r.Body["organizer_v2@odata.context"]!.GetValue<string>());
        }
        // A $select names what comes back; the organizer is then left out (the stricter reading).
        var selected = await client.GetAsync($"v1.0/communications/callRecords/{id}?$select=id");
        Assert.False(selected.Body!.ContainsKey("organizer_v2"));
    }

    [Theory]
    [InlineData("2026-06-01T00:00:00")]        // no zone: how a [datetime] of Kind Unspecified would be written
    [InlineData("2026-06-01T00:00:00.1234567")]
    [InlineData("'2026-06-01'")]               // quoted
    [InlineData("'2026-06-01T00:00:00Z'")]
    [InlineData("2026-06-01T00:00:00.12345678Z")] // eight fractional digits
    [InlineData("2026-06-01Z")]
    public async Task LogFunctionsRefuseWhatGraphsODataParserRefuses(string from)
    {
        await using var host = await StartAsync();
        using var client = new GraphTestClient(host);
        foreach (var function in new[] { "getPstnCalls", "getDirectRoutingCalls" })
        {
            var r = await client.GetAsync($"v1.0/communications/callRecords/{function}(fromDateTime={from},toDateTime=2026-06-10)");
            var error = GraphAssert.Error(r, HttpStatusCode.BadRequest, "BadRequest");
            Assert.Contains("fromDateTime", error["message"]!.GetValue<string>());
            var asTo = await client.GetAsync($"v1.0/communications/callRecords/{function}(fromDateTime=2026-05-01,toDateTime={from})");
            Assert.Contains("toDateTime", GraphAssert.Error(asTo, HttpStatusCode.BadRequest, "BadRequest")["message"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("2026-06-01")]
    [InlineData("2026-06-01T00:00:00Z")]
    [InlineData("2026-06-01T00:00:00.1234567Z")]
    [InlineData("2026-06-01T02:00:00+02:00")]
    [InlineData("2026-06-01T00:00Z")]
    public async Task LogFunctionsAcceptDatesAndZonedDateTimes(string from)
    {
        await using var host = await StartAsync();
        using var client = new GraphTestClient(host);
        var r = await client.GetAsync($"v1.0/communications/callRecords/getPstnCalls(fromDateTime={from},toDateTime=2026-06-10)");
        Assert.Equal(HttpStatusCode.OK, r.Status);
    }

    [Fact]
    public async Task LogCountIsTheRowsOfThisResponse()
    {
        await using var host = await StartAsync(change: o => { o.LogRows = 2600; o.LogDays = 60; });
        using var client = new GraphTestClient(host);
        foreach (var version in new[] { "v1.0", "beta" })
        {
            var pages = await client.GetAllPagesAsync($"{version}/communications/callRecords/getDirectRoutingCalls(fromDateTime=2026-04-20,toDateTime=2026-06-15)");
            Assert.True(pages.Count >= 3, "the range should need three pages");
            Assert.Equal(1000, pages[0]["@odata.count"]!.GetValue<int>());
            Assert.All(pages, p => Assert.Equal(p["value"]!.AsArray().Count, p["@odata.count"]!.GetValue<int>()));
            Assert.True(pages[^1]["@odata.count"]!.GetValue<int>() < 1000);
        }
    }

    private static string SchemaPath(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CallRecords.PS.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "tests", "GraphEmulator", "Data", "Schema", file);
    }

    /// <summary>Property names of a complex type of the CSDL, its base types' included.</summary>
    private static HashSet<string> Properties(XDocument doc, string type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var schema = doc.Descendants().Single(e => e.Name.LocalName == "Schema" && (string?)e.Attribute("Namespace") == "microsoft.graph.callRecords");
        var types = schema.Elements().Where(e => e.Name.LocalName == "ComplexType").ToDictionary(e => (string)e.Attribute("Name")!);
        for (var t = types[type]; ;)
        {
            foreach (var p in t.Elements().Where(e => e.Name.LocalName == "Property")) names.Add((string)p.Attribute("Name")!);
            var baseType = (string?)t.Attribute("BaseType");
            if (baseType is null) break;
            t = types[baseType.Split('.')[^1]];
        }
        return names;
    }

    [Theory]
    [InlineData("v1.0", "getPstnCalls", "pstnCallLogRow")]
    [InlineData("beta", "getPstnCalls", "pstnCallLogRow")]
    [InlineData("v1.0", "getDirectRoutingCalls", "directRoutingLogRow")]
    [InlineData("beta", "getDirectRoutingCalls", "directRoutingLogRow")]
    [InlineData("beta", "getSmsLog", "smsLogRow")]
    [InlineData("beta", "getPstnBlockedUsersLog", "pstnBlockedUsersLogRow")]
    public async Task LogRowsHaveTheShapeOfTheirVersionsCsdl(string version, string function, string type)
    {
        await using var host = await StartAsync(change: o => { o.LogRows = 300; o.LogDays = 60; });
        using var client = new GraphTestClient(host);
        var declared = Properties(XDocument.Load(SchemaPath($"callRecords-{version}.xml")), type);
        var r = await client.GetAsync($"{version}/communications/callRecords/{function}(fromDateTime=2026-04-20,toDateTime=2026-06-15)");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var rows = r.Body!["value"]!.AsArray().Select(n => n!.AsObject()).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var names = row.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            Assert.True(names.SetEquals(declared), $"{version} {type}: extra [{string.Join(",", names.Except(declared))}], missing [{string.Join(",", declared.Except(names))}]");
        }
    }

    [Fact]
    public void EveryEnumMemberAfterUnknownFutureValueIsEvolvable()
    {
        foreach (var file in new[] { "callRecords-v1.0.xml", "callRecords-beta.xml" })
        {
            var doc = XDocument.Load(SchemaPath(file));
            var enums = doc.Descendants().Where(e => e.Name.LocalName == "EnumType")
                .ToDictionary(e => "microsoft.graph.callRecords." + (string)e.Attribute("Name")!,
                    e => e.Elements().Select(m => (string)m.Attribute("Name")!).SkipWhile(n => n != "unknownFutureValue").Skip(1).ToArray());
            foreach (var property in doc.Descendants().Where(e => e.Name.LocalName == "Property"))
            {
                var type = ((string)property.Attribute("Type")!).Replace("Collection(", "").TrimEnd(')');
                if (!enums.TryGetValue(type, out var later) || later.Length == 0) continue;
                var name = (string)property.Attribute("Name")!;
                Assert.True(EvolvableEnums.LaterMembers.TryGetValue(name, out var known), $"{file}: {name} ({type}) is evolvable");
                Assert.Superset(later.ToHashSet(), known!.ToHashSet());
            }
        }
    }

    [Fact]
    public async Task LaterEnumMembersAreUnknownFutureValueUnlessThePreferHeaderAsksForThem()
    {
        await using var host = await StartAsync(records: 300);
        using var client = new GraphTestClient(host);
        // A call with an Azure Communication Services participant (productFamily azureCommunicationServices).
        var id = host.Truth.Records().First(r => host.Data.TryGetIndex(r, out var i) && !host.Data.IsLargeCall(i) && host.Data.BuildSessions(i).ToJsonString().Contains("\"azureCommunicationServices\""));
        void Include(HttpRequestMessage m) => m.Headers.Add("Prefer", "include-unknown-enum-members");
        void IncludeWithPageSize(HttpRequestMessage m) => m.Headers.Add("Prefer", "odata.maxpagesize=10, include-unknown-enum-members");
        foreach (var url in new[] { $"v1.0/communications/callRecords/{id}?$expand=sessions($expand=segments)", $"v1.0/communications/callRecords/{id}/sessions?$expand=segments" })
        {
            var plain = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, plain.Status);
            var text = plain.Body!.ToJsonString();
            Assert.DoesNotContain("azureCommunicationServices", text);
            Assert.Contains("\"productFamily\":\"unknownFutureValue\"", text);
            foreach (var prefer in new Action<HttpRequestMessage>[] { Include, IncludeWithPageSize })
            {
                var asked = (await client.GetAsync(url, prefer)).Body!.ToJsonString();
                Assert.Contains("\"productFamily\":\"azureCommunicationServices\"", asked);
                Assert.DoesNotContain("\"productFamily\":\"unknownFutureValue\"", asked);
            }
        }
    }

    [Fact]
    public async Task ThrottleAndOutageFaultsWithoutRetryAfter()
    {
        await using var host = await StartAsync();
        using var client = new GraphTestClient(host);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var set = await http.PutAsync("_emulator/faults", new StringContent(
            """{"rate":0,"at":{"1":"429-no-retry-after","2":"429-activity-limit","3":"503-no-retry-after","4":"429"}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var first = await client.GetAsync(Select);
        GraphAssert.Error(first, HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.Null(first.Header("Retry-After"));
        var second = await client.GetAsync(Select);
        GraphAssert.Error(second, HttpStatusCode.TooManyRequests, "activityLimitReached");
        Assert.Null(second.Header("Retry-After"));
        var third = await client.GetAsync(Select);
        GraphAssert.Error(third, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Null(third.Header("Retry-After"));
        // The classic kind still carries it.
        Assert.NotNull((await client.GetAsync(Select)).Header("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Select)).Status);
        var kinds = JsonNode.Parse(await http.GetStringAsync("_emulator/faults"))!["at"]!.AsObject().Select(kv => kv.Value!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "TooManyRequestsNoRetryAfter", "ActivityLimitReached", "ServiceUnavailableNoRetryAfter", "TooManyRequests" }, kinds);
    }

    [Fact]
    public async Task EachPstnTypeFunctionHasItsOwnLimitBesidesTheSharedOne()
    {
        Assert.Equal(new ThrottleLimit(50, TimeSpan.FromSeconds(60)), ThrottleLimits.Graph().PstnPerFunction);
        Assert.True(new EmulatorOptions().Throttle, "Graph's throttles are on by default");
        await using var host = await StartAsync(change: o =>
        {
            o.Throttle = true;
            o.ThrottleLimits = ThrottleLimits.Graph() with { PstnPerFunction = new ThrottleLimit(3, TimeSpan.FromMinutes(10)) };
        });
        using var client = new GraphTestClient(host);
        const string Pstn = "v1.0/communications/callRecords/getPstnCalls(fromDateTime=2026-06-01,toDateTime=2026-06-10)";
        const string DirectRouting = "v1.0/communications/callRecords/getDirectRoutingCalls(fromDateTime=2026-06-01,toDateTime=2026-06-10)";
        for (var k = 0; k < 3; k++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Pstn)).Status);
        var refused = await client.GetAsync(Pstn);
        GraphAssert.Error(refused, HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.NotNull(refused.Header("Retry-After"));
        // Another function has its own window (the shared 200 / 60 s is far away).
        for (var k = 0; k < 3; k++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(DirectRouting)).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(DirectRouting)).Status);
        Assert.Equal(2, host.Requests.Count(r => r.Throttled));
    }

    [Fact]
    public async Task AMaxPageSizeAboveTheLimitIsCappedOrRefusedByMode()
    {
        Assert.Equal(PageSizeMode.Refuse, EmulatorOptions.Parse(["--max-page-size", "60:refuse"]).MaxPageSizeMode);
        Assert.Equal(60, EmulatorOptions.Parse(["--max-page-size", "60", "--max-page-size-mode", "cap"]).MaxPageSize);
        Assert.Equal(PageSizeMode.Cap, new EmulatorOptions().MaxPageSizeMode);

        await using var host = await StartAsync(records: 400, change: o => o.MaxPageSize = 60);
        using var client = new GraphTestClient(host);
        // Cap: smaller pages than asked, and Preference-Applied says which.
        var capped = await client.GetAsync(Select, PageSize(999));
        Assert.Equal(HttpStatusCode.OK, capped.Status);
        Assert.Equal(60, capped.Body!["value"]!.AsArray().Count);
        Assert.Equal("odata.maxpagesize=60", capped.Header("Preference-Applied"));

        host.Control.MaxPageSizeMode = PageSizeMode.Refuse;
        GraphAssert.Error(await client.GetAsync(Select, PageSize(999)), HttpStatusCode.BadRequest, "BadRequest");
        GraphAssert.Error(await client.GetAsync(Select, PageSize(61)), HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Select, PageSize(60))).Status);
        var all = await client.GetAllPagesAsync(Select);
        TruthAssert.Equal(host.Truth.Records(), GraphAssert.Ids(all), "the default page size under refuse mode");

        // The control surface switches it at run time.
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var put = await http.PutAsync("_emulator/page-size", new StringContent("""{"max":1000,"mode":"cap"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(400, (await client.GetAsync(Select, PageSize(999))).Body!["value"]!.AsArray().Count);
    }
}
