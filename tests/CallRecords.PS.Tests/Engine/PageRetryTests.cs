using CallRecords.Models;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>Faults the SDK's retry handler never sees (a reset mid-body, a truncated 200) are retried per page.</summary>
[Collection(EngineCollection.Name)]
public sealed class PageRetryTests : IDisposable
{
    private readonly EngineFixture _f;

    public PageRetryTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    public void Dispose() => _f.Host.Control.ClearFaults();

    private Dictionary<string, object?> Window(out List<string> expected)
    {
        var start = _f.Now.AddDays(-9);
        var end = _f.Now.AddDays(-3);
        expected = _f.Retained().Where(r => r.StartDateTime >= start && r.StartDateTime < end).Select(r => r.Id).ToList();
        return new Dictionary<string, object?> { ["s"] = start, ["e"] = end };
    }

    [Fact]
    public void ATruncatedPageAndAResetAreRetriedAndNothingIsLost()
    {
        var vars = Window(out var expected);
        Assert.True(expected.Count > 60);
        _f.Host.Control.Faults = new FaultSettings
        {
            AtRequests = new Dictionary<long, FaultKind> { [2] = FaultKind.TruncatedBody, [3] = FaultKind.ConnectionReset },
        };

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20", vars);

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id));
        var pages = (expected.Count + 19) / 20;
        Assert.Equal(pages + 2, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void APageThatFailsEveryAttemptEndsWithAnErrorNotAShorterResult()
    {
        var vars = Window(out _);
        _f.Host.Control.Faults = new FaultSettings
        {
            AtRequests = new Dictionary<long, FaultKind> { [2] = FaultKind.TruncatedBody, [3] = FaultKind.TruncatedBody, [4] = FaultKind.TruncatedBody, [5] = FaultKind.TruncatedBody },
        };

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20", vars);

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Contains("after 4 attempts", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("client-request-id", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(20, run.Objects<CallRecord>().Count); // the first page, written before the failure
        Assert.Equal(5, EngineFixture.Count(_f.Host, Routes.ListCallRecords)); // the default -MaxRetry 3: four attempts
    }
}
