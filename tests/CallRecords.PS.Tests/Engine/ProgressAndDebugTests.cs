using System.Management.Automation;
using CallRecords.Cmdlets;
using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>Write-Progress over pages (shown in interactive hosts only, see ProgressPolicy), and -Debug for retry
/// decisions while -Verbose keeps one line per request.</summary>
[Collection(EngineCollection.Name)]
public sealed class ProgressAndDebugTests : IDisposable
{
    private readonly EngineFixture _f;

    public ProgressAndDebugTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
        // One step per page is checked here; the 5-per-second limit has its own tests (ProgressRateTests).
        ProgressThrottle.IntervalOverride = TimeSpan.Zero;
    }

    public void Dispose()
    {
        ProgressThrottle.IntervalOverride = null;
        _f.Host.Control.ClearFaults();
        Environment.SetEnvironmentVariable(OverrideVariable, null);
    }

    private const string OverrideVariable = "CALLRECORDS_PROGRESS";
    private const string ListScript = "$ProgressPreference = 'Continue'; Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20";

    private Dictionary<string, object?> Window(out List<string> expected)
    {
        var start = _f.Now.AddDays(-6);
        var end = _f.Now.AddDays(-2);
        expected = _f.Host.Truth.Records(start, end).ToList();
        return new Dictionary<string, object?> { ["s"] = start, ["e"] = end };
    }

    [Fact]
    public void EachPageReportsRecordsPagesAndRateThenTheBarCompletes()
    {
        var vars = Window(out var expected);
        Assert.True(expected.Count > 40, "the window must span several pages of 20");
        var run = HostedShell.Invoke(ListScript, vars, TestHost.Interactive());

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id));
        var progress = run.Progress;
        var pages = (expected.Count + 19) / 20;
        var processing = progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.Equal(pages, processing.Count);
        Assert.All(progress, p => Assert.Equal(progress[0].ActivityId, p.ActivityId));
        Assert.StartsWith("20 records read in 1 page (", processing[0].StatusDescription);
        Assert.StartsWith($"{expected.Count} records read in {pages} pages (", processing[^1].StatusDescription);
        Assert.Contains("records/s)", processing[^1].StatusDescription);
        var from = ((DateTimeOffset)vars["s"]!).ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var to = ((DateTimeOffset)vars["e"]!).ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"startDateTime {from} to {to}", processing[0].CurrentOperation);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
    }

    [Fact]
    public void ClientSideFiltersShowHowManyRecordsWereKept()
    {
        var vars = Window(out var listed);
        var expected = _f.Host.Truth.Records((DateTimeOffset)vars["s"]!, (DateTimeOffset)vars["e"]!, type: "peerToPeer");
        Assert.InRange(expected.Count, 1, listed.Count - 1);
        var run = HostedShell.Invoke("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 50 -Type peerToPeer", vars, TestHost.Interactive());

        Assert.Empty(run.Errors);
        TruthAssert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id), "peer-to-peer calls of the window");
        var last = run.Progress.Last(p => p.RecordType == ProgressRecordType.Processing);
        Assert.StartsWith($"{listed.Count} records read in {(listed.Count + 49) / 50} page", last.StatusDescription);
        Assert.EndsWith($"; {expected.Count} kept by the client-side filters", last.StatusDescription);
    }

    [Fact]
    public void FirstEndsTheBarToo()
    {
        var run = HostedShell.Invoke("Get-CallRecord -First 5 -PageSize 20", host: TestHost.Interactive());
        Assert.Equal(5, run.Output.Count);
        var progress = run.Progress;
        Assert.Equal(2, progress.Count);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
    }

    [Theory]
    [InlineData("$ProgressPreference = 'SilentlyContinue'; Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20")]
    [InlineData("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20 -ProgressAction SilentlyContinue")]
    public void SilencedProgressWritesNoRecords(string script)
    {
        var vars = Window(out var expected);
        // An interactive host, so only the preference can be what silences it.
        var run = HostedShell.Invoke(script, vars, TestHost.Interactive());

        Assert.Empty(run.Errors);
        Assert.Equal(expected.Count, run.Output.Count);
        Assert.Empty(run.Progress);
    }

    [Fact]
    public void TheForcedOverrideDoesNotBeatProgressActionSilentlyContinue()
    {
        var vars = Window(out var expected);
        Environment.SetEnvironmentVariable(OverrideVariable, "on");
        var run = HostedShell.Invoke("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20 -ProgressAction SilentlyContinue", vars, TestHost.Interactive());
        Assert.Equal(expected.Count, run.Output.Count);
        Assert.Empty(run.Progress);
    }

    [Fact]
    public void ANonInteractiveHostGetsNoProgressAndDebugSaysWhy()
    {
        // PowerShell.Create's "Default Host" has no user interface, like a hosted runspace in a service.
        var vars = Window(out var expected);
        var run = HostedShell.Invoke("$DebugPreference = 'Continue'; " + ListScript, vars);

        Assert.Empty(run.Errors);
        Assert.Equal(expected, run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Empty(run.Progress);
        Assert.Contains("Progress is off: the PowerShell host has no user interface (Default Host). Set the environment variable CALLRECORDS_PROGRESS=on to show it anyway.", run.Debug);
    }

    [Fact]
    public void AHostWithAUserInterfaceButNoRawUIIsNonInteractive()
    {
        var vars = Window(out var expected);
        var run = HostedShell.Invoke("$DebugPreference = 'Continue'; " + ListScript, vars, TestHost.Interactive(rawUI: false));
        Assert.Equal(expected.Count, run.Output.Count);
        Assert.Empty(run.Progress);
        Assert.Contains(run.Debug, d => d.StartsWith("Progress is off: the PowerShell host 'CallRecordsInteractiveTestHost' has no user interface", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAzureAutomationJobIsNonInteractiveEvenOnAHostWithAUI()
    {
        var vars = Window(out var expected);
        var run = HostedShell.Invoke("$PSPrivateMetadata = @{ JobId = [guid]::NewGuid() }; " + ListScript, vars, TestHost.Interactive());
        Assert.Equal(expected.Count, run.Output.Count);
        Assert.Empty(run.Progress);
    }

    [Fact]
    public void TheOverrideForcesProgressOnInANonInteractiveHost()
    {
        var vars = Window(out var expected);
        Environment.SetEnvironmentVariable(OverrideVariable, "on");
        var run = HostedShell.Invoke(ListScript, vars);

        Assert.Equal(expected.Count, run.Output.Count);
        var pages = (expected.Count + 19) / 20;
        Assert.Equal(pages, run.Progress.Count(p => p.RecordType == ProgressRecordType.Processing));
        Assert.Equal(ProgressRecordType.Completed, run.Progress[^1].RecordType);
    }

    [Fact]
    public void TheOverrideForcesProgressOffInAnInteractiveHost()
    {
        var vars = Window(out var expected);
        Environment.SetEnvironmentVariable(OverrideVariable, "OFF");
        var run = HostedShell.Invoke("$DebugPreference = 'Continue'; " + ListScript, vars, TestHost.Interactive());

        Assert.Equal(expected.Count, run.Output.Count);
        Assert.Empty(run.Progress);
        Assert.Contains("Progress is off: CALLRECORDS_PROGRESS is 'OFF'.", run.Debug);
    }

    [Fact]
    public void AnUnknownOverrideValueLeavesTheDecisionToTheHost()
    {
        var vars = Window(out _);
        Environment.SetEnvironmentVariable(OverrideVariable, "auto");
        Assert.NotEmpty(HostedShell.Invoke(ListScript, vars, TestHost.Interactive()).Progress);
        Assert.Empty(HostedShell.Invoke(ListScript, vars).Progress);
    }

    [Fact]
    public void PageRetriesGoToDebugNotVerbose()
    {
        var vars = Window(out var expected);
        _f.Host.Control.Faults = new FaultSettings { AtRequests = new Dictionary<long, FaultKind> { [2] = FaultKind.TruncatedBody } };
        using var ps = HostedShell.Create(vars);
        ps.AddScript("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 20 -Verbose -Debug");

        var output = ps.Invoke();

        Assert.Empty(ps.Streams.Error);
        Assert.Equal(expected.Count, output.Count);
        var debug = ps.Streams.Debug.Select(d => d.Message).ToList();
        var retry = Assert.Single(debug, d => d.StartsWith("Page retry: ", StringComparison.Ordinal));
        Assert.Contains("retrying in ", retry); // the wait, then the attempt: default -MaxRetry 3 is four attempts
        Assert.Contains("attempt 2 of 4", retry);
        var verbose = ps.Streams.Verbose.Select(v => v.Message).ToList();
        Assert.DoesNotContain(verbose, v => v.Contains("retrying", StringComparison.Ordinal));
        // One verbose line per HTTP attempt: every page plus the retried one.
        var pages = (expected.Count + 19) / 20;
        Assert.Equal(pages + 1, verbose.Count(v => v.StartsWith("GET ", StringComparison.Ordinal)));
    }

    [Fact]
    public void ThrottlingAndTheSdkRetryAreExplainedInDebug()
    {
        var vars = Window(out var expected);
        _f.Host.Control.Faults = new FaultSettings
        {
            AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.TooManyRequests },
            RetryAfterSeconds = 0,
        };
        using var ps = HostedShell.Create(vars);
        ps.AddScript("$DebugPreference = 'Continue'; Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 200");

        var output = ps.Invoke();

        Assert.Empty(ps.Streams.Error);
        Assert.Equal(expected.Count, output.Count);
        var debug = ps.Streams.Debug.Select(d => d.Message).ToList();
        Assert.Single(debug, d => d.StartsWith("Graph answered 429 to GET ", StringComparison.Ordinal) && d.Contains("(Retry-After 0 s)"));
        Assert.Single(debug, d => d.StartsWith("Graph SDK retry handler: retry 1 of GET ", StringComparison.Ordinal));
        Assert.Equal(2, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }

    [Fact]
    public void WithoutDebugNothingReachesTheDebugStream()
    {
        var vars = Window(out _);
        _f.Host.Control.Faults = new FaultSettings { AtRequests = new Dictionary<long, FaultKind> { [1] = FaultKind.TruncatedBody } };
        using var ps = HostedShell.Create(vars);
        ps.AddScript("Get-CallRecord -StartDateTime $s -EndDateTime $e -PageSize 200");
        ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        Assert.Empty(ps.Streams.Debug);
        Assert.Equal(2, EngineFixture.Count(_f.Host, Routes.ListCallRecords));
    }
}
