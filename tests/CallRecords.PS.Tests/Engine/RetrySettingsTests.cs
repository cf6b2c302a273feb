using CallRecords.Connection;
using CallRecords.Graph;
using CallRecords.Models;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>Connect-CallRecordGraph -MaxRetry/-Timeout/-RetryDelay reach both retry layers, and the final failure names
/// the URL, status, Graph error code and request-id.</summary>
[Collection(EngineCollection.Name)]
public sealed class RetrySettingsTests : IDisposable
{
    private readonly EngineFixture _f;

    public RetrySettingsTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Reset();
    }

    public void Dispose()
    {
        _f.Host.Control.ClearFaults();
        _f.Connect(); // back to the default settings for the other tests
    }

    private void Connect(string extra)
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint " + extra,
            new Dictionary<string, object?> { ["token"] = _f.Token(), ["endpoint"] = _f.Host.BaseAddress });
        Assert.Empty(run.Errors);
        _f.Reset();
    }

    private Dictionary<string, object?> Window() => new() { ["s"] = _f.Now.AddDays(-9), ["e"] = _f.Now.AddDays(-3) };

    [Fact]
    public void MaxRetryAndTimeoutAreOnTheConnection()
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -MaxRetry 5 -Timeout 30 -RetryDelay 0.25 -PassThru -NoDefault",
            new Dictionary<string, object?> { ["token"] = _f.Token(), ["endpoint"] = _f.Host.BaseAddress });
        Assert.Empty(run.Errors);
        var c = Assert.Single(run.Objects<CallRecordConnection>());
        Assert.Equal(5, c.MaxRetry);
        Assert.Equal(TimeSpan.FromSeconds(30), c.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.Session.Settings.RetryDelay);
        Assert.Equal(6, c.Session.Settings.PageRetry.MaxAttempts);
    }

    [Fact]
    public void TimeoutAlsoTakesATimeSpan()
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -Timeout ([TimeSpan]'00:01:30') -PassThru -NoDefault",
            new Dictionary<string, object?> { ["token"] = _f.Token(), ["endpoint"] = _f.Host.BaseAddress });
        Assert.Empty(run.Errors);
        Assert.Equal(TimeSpan.FromSeconds(90), Assert.Single(run.Objects<CallRecordConnection>()).Timeout);
    }

    [Fact]
    public void BrokenPagesAreAskedMaxRetryPlusOneTimesThenTheCommandFails()
    {
        Connect("-MaxRetry 1 -RetryDelay 0");
        _f.Host.Control.Faults = new FaultSettings { Rate = 1.0, Kinds = new[] { FaultKind.TruncatedBody } };

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20", Window());

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Contains("after 2 attempts", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Empty(run.Objects<CallRecord>());
        Assert.Equal(2, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void PersistentThrottlingRetriesInTheSdkAndPerPageThenNamesUrlStatusCodeAndRequestId()
    {
        Connect("-MaxRetry 1 -RetryDelay 0");
        _f.Host.Control.Faults = new FaultSettings { Rate = 1.0, Kinds = new[] { FaultKind.TooManyRequests }, RetryAfterSeconds = 0 };

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20", Window());

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphThrottled,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        // The SDK handler: first attempt + 1 retry; the page level: 2 such attempts.
        var requests = EngineFixture.Requests(_f.Host, Routes.ListCallRecords);
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.Equal(429, r.Status));
        var message = error.ErrorDetails.Message;
        Assert.Contains("429", message, StringComparison.Ordinal);
        Assert.Contains("TooManyRequests", message, StringComparison.Ordinal);
        Assert.Contains("request-id: " + requests[^1].RequestId, message, StringComparison.Ordinal);
        Assert.Contains(_f.Host.BaseAddress.Authority + "/v1.0/communications/callRecords", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        var graph = Assert.IsType<GraphRequestException>(error.Exception);
        Assert.Equal(TimeSpan.Zero, graph.RetryAfter);
    }

    [Fact]
    public void ABodyThatStallsPastTheTimeoutIsRetriedAndThenFails()
    {
        Connect("-MaxRetry 1 -RetryDelay 0 -Timeout 0.2");
        _f.Host.Control.Faults = new FaultSettings { Rate = 1.0, Kinds = new[] { FaultKind.SlowBody }, SlowBodyChunkDelayMs = 400, SlowBodyChunks = 4 };

        var run = _f.Run("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20", Window());

        var error = Assert.Single(run.Errors);
        Assert.Equal("GraphUnreachable,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Contains("timed out after 2 attempts", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(2, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Theory]
    [InlineData("-MaxRetry -1")]
    [InlineData("-MaxRetry 11")]
    public void MaxRetryOutOfRangeIsRefusedAtBinding(string arg)
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru " + arg,
            new Dictionary<string, object?> { ["token"] = _f.Token(), ["endpoint"] = _f.Host.BaseAddress });
        var error = Assert.Single(run.Errors);
        Assert.Equal("ParameterArgumentValidationError,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("-Timeout 0")]
    [InlineData("-Timeout -5")]
    [InlineData("-RetryDelay 600")]
    public void TimeoutOrDelayOutOfRangeIsRefusedClearly(string arg)
    {
        var run = _f.Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru " + arg,
            new Dictionary<string, object?> { ["token"] = _f.Token(), ["endpoint"] = _f.Host.BaseAddress });
        var error = Assert.Single(run.Errors);
        Assert.Equal("InvalidRetrySetting,CallRecords.Cmdlets.ConnectCallRecordGraphCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.StartsWith(arg.Split(' ')[0] + " must be", error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RetryAfterIsReadAsSecondsOrAnHttpDate()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), GraphRequestException.ParseRetryAfter("7", now));
        Assert.Equal(TimeSpan.FromSeconds(30), GraphRequestException.ParseRetryAfter("Sun, 01 Mar 2026 12:00:30 GMT", now));
        Assert.Equal(TimeSpan.Zero, GraphRequestException.ParseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now));
        Assert.Null(GraphRequestException.ParseRetryAfter("soon", now));
        Assert.Null(GraphRequestException.ParseRetryAfter(null, now));
    }

    [Fact]
    public void ThePageLevelWaitHonoursRetryAfterAndOtherwiseBacksOff()
    {
        var policy = new PageRetryPolicy(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        var throttled = new GraphRequestException("x", 429, "TooManyRequests", null, null, null, null) { RetryAfter = TimeSpan.FromSeconds(3) };
        Assert.Equal(TimeSpan.FromSeconds(3), policy.Delay(1, throttled));
        var third = policy.Delay(3, new IOException());
        Assert.InRange(third.TotalMilliseconds, 200, 400); // 100 ms * 2^2, with jitter in [50 %, 100 %]
        Assert.True(policy.IsTransient(throttled));
    }
}
