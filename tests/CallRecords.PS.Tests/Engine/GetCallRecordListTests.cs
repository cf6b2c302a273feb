using System.Management.Automation;
using System.Web;
using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

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
        var expected = _f.Host.Truth.Records(start, end);
        Assert.True(expected.Count > 60, "the window must span several pages");

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e", Vars(("s", start), ("e", end)));

        Assert.Empty(run.Errors);
        var records = run.Objects<CallRecord>();
        TruthAssert.Equal(expected, records.Select(r => r.Id), "records of the window");
        Assert.All(records, r => Assert.Equal(r.EndDateTime - r.StartDateTime, r.Duration));
        // 999 per page by default: every page requested once, none more.
        Assert.Equal((expected.Count + 998) / 999, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void WithoutRangeReturnsEverythingRetained()
    {
        var run = _f.Run("Get-CallRecord -PageSize 200");
        Assert.Empty(run.Errors);
        TruthAssert.Equal(_f.Host.Truth.Records(), run.Objects<CallRecord>().Select(r => r.Id), "retained records");
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

    /// <summary>Two participants of one retained call, each also in calls without the other: that call matches both
    /// filters, so the merge has a duplicate to drop, and each filter has records of its own.</summary>
    private (string A, string B) TwoParticipantsSharingACall()
    {
        var truth = _f.Host.Truth;
        foreach (var record in _f.Retained().Where(r => r.Type == "groupCall"))
        {
            var (a, b) = (record.ParticipantIds[0], record.ParticipantIds[1]);
            var ofA = truth.Records(participant: a);
            var ofB = truth.Records(participant: b);
            if (ofA.Except(ofB).Any() && ofB.Except(ofA).Any()) return (a, b);
        }
        throw new Xunit.Sdk.XunitException("the data set has no two participants who share a call and also have calls apart");
    }

    [Fact]
    public void ParticipantIdsAreOneRequestEachEscapedAndMergedWithoutDuplicatesInQueryOrder()
    {
        var (a, b) = TwoParticipantsSharingACall();
        var ofA = _f.Host.Truth.Records(participant: a);
        var ofB = _f.Host.Truth.Records(participant: b);
        Assert.NotEmpty(ofA.Intersect(ofB));
        // One query per participant, in the order given; a record already written for an earlier one is dropped.
        var expected = ofA.Concat(ofB.Where(id => !ofA.Contains(id))).ToList();

        var run = _f.Run("Get-CallRecord -ParticipantId $a, $b, \"o'brien\"", Vars(("a", a), ("b", b)));

        Assert.Empty(run.Errors);
        TruthAssert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id), $"records of {a} then {b}, merged");
        var filters = EngineFixture.Requests(_f.Host, Routes.ListCallRecords).Select(FilterOf).ToList();
        Assert.Equal(new[] { $"participants_v2/any(p:p/id eq '{a}')", $"participants_v2/any(p:p/id eq '{b}')", "participants_v2/any(p:p/id eq 'o''brien')" }, filters);
    }

    [Fact]
    public void TheSameParticipantTwiceIsOneQuery()
    {
        var (a, _) = TwoParticipantsSharingACall();
        var run = _f.Run("Get-CallRecord -ParticipantId $a, $a.ToUpperInvariant()", Vars(("a", a)));
        Assert.Empty(run.Errors);
        TruthAssert.Equal(_f.Host.Truth.Records(participant: a), run.Objects<CallRecord>().Select(r => r.Id), $"records of {a}");
        Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
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
        TruthAssert.Equal(_f.Host.Truth.Records().Take(7), run.Objects<CallRecord>().Select(r => r.Id), "the first 7 records");
        var request = Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords));
        Assert.Contains("%24select=id%2CstartDateTime", request.PathAndQuery.Replace("$select", "%24select", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("odata.maxpagesize=7, include-unknown-enum-members", request.Headers["Prefer"]);

        // Without -PageSize the module asks for what -First needs (large pages without -First, see ListPagingTests).
        _f.Reset();
        Assert.Empty(_f.Run("Get-CallRecord -First 1").Errors);
        Assert.Equal("odata.maxpagesize=1, include-unknown-enum-members", Assert.Single(EngineFixture.Requests(_f.Host, Routes.ListCallRecords)).Headers["Prefer"]);
    }

    [Fact]
    public void FirstFiveSendsExactlyOneListRequest()
    {
        var run = _f.Run("Get-CallRecord -First 5");
        Assert.Empty(run.Errors);
        TruthAssert.Equal(_f.Host.Truth.Records().Take(5), run.Objects<CallRecord>().Select(r => r.Id), "the first 5 records");
        Assert.Equal(1, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void SkipAndFirstSpanPagesWithoutReadingBeyondTheLastNeededPage()
    {
        var run = _f.Run("Get-CallRecord -PageSize 10 -Skip 25 -First 10");
        Assert.Empty(run.Errors);
        TruthAssert.Equal(_f.Host.Truth.Records().Skip(25).Take(10), run.Objects<CallRecord>().Select(r => r.Id), "records 26 to 35");
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
        var truth = _f.Host.Truth;
        var all = truth.Records();
        var groupCalls = truth.Records(type: "groupCall");
        Assert.InRange(groupCalls.Count, 1, all.Count - 1);
        var run = _f.Run("Get-CallRecord -Type groupCall -PageSize 500");
        Assert.Empty(run.Errors);
        TruthAssert.Equal(groupCalls, run.Objects<CallRecord>().Select(r => r.Id), "group calls");

        var first = _f.Run("Get-CallRecord -Type groupCall -First 1 -PageSize 500");
        Assert.Equal(groupCalls[0], Assert.Single(first.Objects<CallRecord>()).Id);

        // Some calls have no audio and most no video: each modality filter leaves records out.
        var audio = truth.Records(modality: "audio");
        Assert.InRange(audio.Count, 1, all.Count - 1);
        TruthAssert.Equal(audio, _f.Run("Get-CallRecord -Modality AUDIO -PageSize 500").Objects<CallRecord>().Select(r => r.Id), "calls with audio");
        var video = truth.Records(modality: "video");
        var sharing = truth.Records(modality: "videoBasedScreenSharing");
        var either = all.Where(id => video.Contains(id) || sharing.Contains(id)).ToList();
        Assert.InRange(either.Count, video.Count + 1, all.Count - 1);
        TruthAssert.Equal(either, _f.Run("Get-CallRecord -Modality video, videoBasedScreenSharing -PageSize 500").Objects<CallRecord>().Select(r => r.Id),
            "calls with video or screen sharing");
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
