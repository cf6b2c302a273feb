using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

public sealed class LogWindowsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ARangeUpToNinetyDaysIsOneWindow()
    {
        var w = Assert.Single(LogWindows.Split(T0, T0.AddDays(90)));
        Assert.Equal((T0, T0.AddDays(90), 0, 1, true), (w.Start, w.End, w.Index, w.Count, w.IsLast));
    }

    [Fact]
    public void TwoHundredDaysAreNinetyNinetyTwentyEdgeToEdge()
    {
        var windows = LogWindows.Split(T0, T0.AddDays(200));
        Assert.Equal(new[] { 90.0, 90.0, 20.0 }, windows.Select(w => (w.End - w.Start).TotalDays));
        Assert.Equal(T0, windows[0].Start);
        Assert.Equal(T0.AddDays(200), windows[^1].End);
        for (var i = 1; i < windows.Count; i++) Assert.Equal(windows[i - 1].End, windows[i].Start);
        Assert.Equal(new[] { 0, 1, 2 }, windows.Select(w => w.Index));
        Assert.All(windows, w => Assert.Equal(3, w.Count));
        Assert.Equal(new[] { false, false, true }, windows.Select(w => w.IsLast));
    }

    [Fact]
    public void OneTickOverNinetyDaysMakesASecondOneTickWindow()
    {
        var windows = LogWindows.Split(T0, T0.AddDays(90).AddTicks(1));
        Assert.Equal(2, windows.Count);
        Assert.Equal(T0.AddDays(90), windows[1].Start);
        Assert.Equal(1, (windows[1].End - windows[1].Start).Ticks);
    }

    [Fact]
    public void OffsetsAreConvertedToUtcAndNoWindowExceedsTheMaximum()
    {
        var start = new DateTimeOffset(2026, 3, 1, 1, 30, 0, TimeSpan.FromHours(2));
        var windows = LogWindows.Split(start, start.AddDays(365.3));
        Assert.All(windows, w => Assert.True(w.End - w.Start <= LogWindows.MaxSpan));
        Assert.All(windows, w => Assert.Equal(TimeSpan.Zero, w.Start.Offset));
        Assert.Equal(start.UtcDateTime, windows[0].Start.UtcDateTime);
        Assert.Equal(5, windows.Count);
        Assert.Equal(start.AddDays(365.3), windows[^1].End);
    }

    [Fact]
    public void AnEmptyOrReversedRangeIsRefused()
    {
        Assert.Throws<ArgumentException>(() => LogWindows.Split(T0, T0));
        Assert.Throws<ArgumentException>(() => LogWindows.Split(T0, T0.AddSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogWindows.Split(T0, T0.AddDays(1), TimeSpan.Zero));
    }

    [Fact]
    public void WindowQueriesUseExactLiteralsAndPinBetaLogsToBeta()
    {
        var w = new TimeWindow(T0, T0.AddDays(90).AddMilliseconds(1.5), 0, 1);
        var pstn = LogReader.WindowQuery(LogFunctions.PstnCalls, w).ToUri(new Uri("https://graph.microsoft.com/"), "v1.0");
        Assert.Equal("https://graph.microsoft.com/v1.0/communications/callRecords/getPstnCalls(fromDateTime=2026-01-01T00:00:00Z,toDateTime=2026-04-01T00:00:00.0015Z)", pstn.AbsoluteUri);
        var sms = LogReader.WindowQuery(LogFunctions.SmsLog, w).ToUri(new Uri("https://graph.microsoft.com/"), "v1.0");
        Assert.StartsWith("https://graph.microsoft.com/beta/communications/callRecords/getSmsLog(", sms.AbsoluteUri);
        // The dial-out report has no row time to deduplicate on: its windows are asked for disjointly.
        var dialout = LogReader.WindowQuery(LogFunctions.PstnOnlineMeetingDialoutReport, new TimeWindow(T0, T0.AddDays(1), 0, 1))
            .ToUri(new Uri("https://graph.microsoft.com/"), "v1.0");
        Assert.EndsWith("getPstnOnlineMeetingDialoutReport(fromDateTime=2026-01-01T00:00:00Z,toDateTime=2026-01-01T23:59:59.9999999Z)", dialout.AbsoluteUri);
    }
}
