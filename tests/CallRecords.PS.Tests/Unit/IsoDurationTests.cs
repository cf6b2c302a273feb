using CallRecords.Models.Mapping;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

public sealed class IsoDurationTests
{
    [Theory]
    [InlineData("PT0.016S", 160_000L)]
    [InlineData("PT0S", 0L)]
    [InlineData("PT1M", 600_000_000L)]
    [InlineData("PT1H2M3.5S", 37_235_000_000L)]
    [InlineData("P1DT2H", 936_000_000_000L)]
    [InlineData("P2W", 12_096_000_000_000L)]
    [InlineData("-PT5M", -3_000_000_000L)]
    [InlineData("PT0.0000001S", 1L)]
    [InlineData("PT0.00000019S", 1L)] // beyond 100 ns is truncated, not rounded
    [InlineData("PT1,5S", 15_000_000L)]
    [InlineData("pt2s", 20_000_000L)]
    public void ParsesGraphDurations(string text, long ticks)
    {
        Assert.True(IsoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1Y")]   // years and months have no fixed length
    [InlineData("P1M")]
    [InlineData("PT1D")]  // day in the time part
    [InlineData("PT1S2M")] // out of order
    [InlineData("00:00:01")]
    [InlineData("PTxS")]
    public void RefusesWhatIsNotADuration(string? text)
    {
        Assert.False(IsoDuration.TryParse(text, out _));
        Assert.Null(IsoDuration.Parse(text));
    }
}
