using System.Management.Automation;
using System.Web;
using CallRecords.Models;
using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class GetCallRecordListTests
{
    private readonly EngineFixture _f;

    public GetCallRecordListTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    private static string? FilterOf(RequestLogEntry e) =>
        HttpUtility.ParseQueryString(new Uri("http://x" + e.PathAndQuery).Query)["$filter"];

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void WindowReturnsExactlyTheEmulatorsRecordsInOrder()
    {
        var start = _f.Now.AddDays(-12);
        var end = _f.Now.AddDays(-4);
        var expected = _f.Retained().Where(r => r.StartDateTime >= start && r.StartDateTime < end).Select(r => r.Id).ToList();
        Assert.True(expected.Count > 60, "the window must span several pages");

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e", Vars(("s", start), ("e", end)));

        Assert.Empty(run.Errors);
        var records = run.Objects<CallRecord>();
        Assert.Equal(expected, records.Select(r => r.Id).ToList());
        Assert.All(records, r => Assert.Equal(r.EndDateTime - r.StartDateTime, r.Duration));
        // 60 per page by default: every page requested once, none more.
        Assert.Equal((expected.Count + 59) / 60, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void WithoutRangeReturnsEverythingRetained()
    {
        var run = _f.Run("Get-CallRecord -PageSize 200");
        Assert.Empty(run.Errors);
        Assert.Equal(_f.Retained().Select(r => r.Id), run.Objects<CallRecord>().Select(r => r.Id));
    }

    [Fact]
    public void DateParametersBecomeGraphsExactFilterInUtc()
    {
        var start = new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.FromHours(2));
        var end = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -Filter $raw", Vars(("s", start), ("e", end), ("raw", "startDateTime gt 2026-10-31T00:00:00Z")));

        var request = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Equal("startDateTime ge 2026-11-01T00:00:00Z and startDateTime lt 2026-11-02T00:00:00Z and startDateTime gt 2026-10-31T00:00:00Z", FilterOf(request));
    }

    [Fact]
    public void ParticipantIdsAreOneRequestEachEscapedAndMergedWithoutDuplicates()
    {
        // Record 10's second participant shares record 10 with "user-0000" (on every tenth record), so the merge
        // must drop one duplicate.
        var shared = _f.Host.Data.Records[10];
        var other = shared.ParticipantIds[1];
        var expected = _f.Retained().Where(r => r.ParticipantIds.Contains("user-0000") || r.ParticipantIds.Contains(other)).Select(r => r.Id).ToHashSet();

        var run = _f.Run("Get-CallRecord -ParticipantId 'user-0000', $other, \"o'brien\"", Vars(("other", other)));

        Assert.Empty(run.Errors);
        var ids = run.Objects<CallRecord>().Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected, ids.ToHashSet());
        var filters = EngineFixture.Requests(_f.Host, Routes.ListCallRecords).Select(FilterOf).ToList();
        Assert.Contains("participants_v2/any(p:p/id eq 'user-0000')", filters);
        Assert.Contains($"participants_v2/any(p:p/id eq '{other}')", filters);
        Assert.Contains("participants_v2/any(p:p/id eq 'o''brien')", filters);
    }

    [Fact]
    public void ParticipantFilterCombinesWithTheDateRange()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        _f.Run("Get-CallRecord -StartDateTime $s -ParticipantId 'user-0000'", Vars(("s", start)));
        var request = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Equal("startDateTime ge 2026-11-01T00:00:00Z and participants_v2/any(p:p/id eq 'user-0000')", FilterOf(request));
    }

    [Fact]
    public void PropertyBecomesSelectAndPageSizeBecomesPrefer()
    {
        var run = _f.Run("Get-CallRecord -Property id,startDateTime -PageSize 7 -First 7");
        Assert.Empty(run.Errors);
        Assert.Equal(7, run.Objects<CallRecord>().Count);
        var request = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Contains("%24select=id%2CstartDateTime", request.PathAndQuery.Replace("$select", "%24select", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FirstFiveSendsExactlyOneListRequest()
    {
        var run = _f.Run("Get-CallRecord -First 5");
        Assert.Empty(run.Errors);
        Assert.Equal(_f.Retained().Take(5).Select(r => r.Id), run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Equal(1, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void SkipAndFirstSpanPagesWithoutReadingBeyondTheLastNeededPage()
    {
        var run = _f.Run("Get-CallRecord -PageSize 10 -Skip 25 -First 10");
        Assert.Empty(run.Errors);
        Assert.Equal(_f.Retained().Skip(25).Take(10).Select(r => r.Id), run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Equal(4, EngineFixture.Count(_f.Host, Routes.ListCallRecords)); // items 0..34 live on pages 1..4
    }

    [Fact]
    public void PrefetchStaysWithinOnePageOfWhatThePipelineConsumed()
    {
        const int pageSize = 5;
        var seen = new List<long>();
        Func<object, long> probe = _ =>
        {
            var n = EngineFixture.Count(_f.Host, Routes.ListCallRecords);
            seen.Add(n);
            return n;
        };
        var start = _f.Now.AddDays(-6);
        var end = _f.Now.AddDays(-3);
        var expected = _f.Retained().Count(r => r.StartDateTime >= start && r.StartDateTime < end);
        Assert.True(expected > 4 * pageSize);

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize $n | ForEach-Object { $null = $probe.Invoke($_); $_ }",
            Vars(("s", start), ("e", end), ("n", pageSize), ("probe", probe)));

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Objects<CallRecord>().Count);
        for (var i = 0; i < seen.Count; i++)
        {
            var pagesConsumed = i / pageSize + 1;
            Assert.True(seen[i] <= pagesConsumed + 1, $"item {i}: {seen[i]} requests with {pagesConsumed} pages consumed");
        }
        Assert.Equal((expected + pageSize - 1) / pageSize, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void ClientSideTypeAndModalityFiltersApplyBeforeFirst()
    {
        var groupCalls = _f.Retained().Where(r => r.Type == "groupCall").Select(r => r.Id).ToList();
        Assert.NotEmpty(groupCalls);
        var run = _f.Run("Get-CallRecord -Type groupCall -PageSize 500");
        Assert.Empty(run.Errors);
        Assert.Equal(groupCalls, run.Objects<CallRecord>().Select(r => r.Id));

        var first = _f.Run("Get-CallRecord -Type groupCall -First 1 -PageSize 500");
        Assert.Equal(groupCalls[0], Assert.Single(first.Objects<CallRecord>()).Id);

        var audio = _f.Run("Get-CallRecord -Modality AUDIO -PageSize 500").Objects<CallRecord>();
        Assert.NotEmpty(audio);
        Assert.All(audio, r => Assert.Contains("audio", r.Modalities));
        Assert.Empty(_f.Run("Get-CallRecord -Modality hologram -PageSize 500").Objects<CallRecord>());
    }

    [Fact]
    public void IncludeTotalCountReportsUnknownAccuracy()
    {
        var run = _f.Run("Get-CallRecord -First 2 -IncludeTotalCount");
        Assert.Empty(run.Errors);
        var total = run.Output.First();
        Assert.IsNotType<CallRecord>(total.BaseObject);
        Assert.Equal(0.0, (double)total.Properties["Accuracy"].Value);
        Assert.Equal(2, run.Objects<CallRecord>().Count);
    }

    [Fact]
    public void EndNotAfterStartIsAParameterErrorBeforeAnyRequest()
    {
        var t = _f.Now.AddDays(-1);
        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e", Vars(("s", t), ("e", t)));
        var error = Assert.Single(run.Errors);
        Assert.Equal("EndDateTimeNotAfterStartDateTime,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Empty(run.Output);
        Assert.Equal(0, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void StartBeyondRetentionWarns()
    {
        var run = _f.Run("Get-CallRecord -StartDateTime $s -First 1", Vars(("s", _f.Now.AddDays(-45))));
        Assert.Empty(run.Errors);
        Assert.Contains(run.Warnings, w => w.Contains("30 days", StringComparison.Ordinal));
        var recent = _f.Run("Get-CallRecord -StartDateTime $s -First 1", Vars(("s", _f.Now.AddDays(-2))));
        Assert.Empty(recent.Warnings);
    }

    [Fact]
    public void VerboseShowsEachRequestWithStatusAndRequestIdButNoToken()
    {
        var token = _f.Host.MintToken();
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $t -GraphEndpoint $ep; Get-CallRecord -First 1 -Verbose",
            Vars(("t", EngineFixture.Secure(token)), ("ep", _f.Host.BaseAddress)));
        Assert.Empty(run.Errors);
        var line = Assert.Single(run.Verbose, v => v.StartsWith("GET ", StringComparison.Ordinal));
        Assert.Contains("/v1.0/communications/callRecords", line, StringComparison.Ordinal);
        Assert.Contains("→ 200", line, StringComparison.Ordinal);
        var logged = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Contains("request-id: " + logged.RequestId, line, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Verbose, v => v.Contains(token, StringComparison.Ordinal) || v.Contains("Bearer", StringComparison.OrdinalIgnoreCase));
    }
}
