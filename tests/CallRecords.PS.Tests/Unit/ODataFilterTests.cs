using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

public sealed class ODataFilterTests
{
    [Fact]
    public void DatesAreUtcIsoWithZAndOnlyTheFractionTheyHave()
    {
        Assert.Equal("2026-11-01T00:00:00Z", ODataFilter.DateTime(new DateTimeOffset(2026, 11, 1, 1, 0, 0, TimeSpan.FromHours(1))));
        Assert.Equal("2026-11-01T08:30:15.25Z", ODataFilter.DateTime(new DateTimeOffset(2026, 11, 1, 8, 30, 15, 250, TimeSpan.Zero)));
        Assert.Equal("2026-11-01T08:30:15.0000001Z", ODataFilter.DateTime(new DateTimeOffset(2026, 11, 1, 8, 30, 15, TimeSpan.Zero).AddTicks(1)));
    }

    [Fact]
    public void RangeUsesGeAndLtOnStartDateTime()
    {
        var s = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var e = s.AddDays(1);
        Assert.Equal("startDateTime ge 2026-11-01T00:00:00Z and startDateTime lt 2026-11-02T00:00:00Z", ODataFilter.StartDateTimeRange(s, e));
        Assert.Equal("startDateTime ge 2026-11-01T00:00:00Z", ODataFilter.StartDateTimeRange(s, null));
        Assert.Equal("startDateTime lt 2026-11-02T00:00:00Z", ODataFilter.StartDateTimeRange(null, e));
        Assert.Null(ODataFilter.StartDateTimeRange(null, null));
    }

    [Theory]
    [InlineData("abc", "participants_v2/any(p:p/id eq 'abc')")]
    [InlineData("o'brien", "participants_v2/any(p:p/id eq 'o''brien')")]
    [InlineData("x') or (true", "participants_v2/any(p:p/id eq 'x'') or (true')")]
    public void ParticipantIdsAreQuotedLiterals(string id, string expected) => Assert.Equal(expected, ODataFilter.ParticipantId(id));

    [Fact]
    public void AndSkipsEmptyClausesAndParenthesisesOr()
    {
        Assert.Null(ODataFilter.And(null, " ", ""));
        Assert.Equal("a eq 1", ODataFilter.And(null, "a eq 1"));
        Assert.Equal("a eq 1 and b eq 2", ODataFilter.And("a eq 1", null, "b eq 2"));
        Assert.Equal("a eq 1 and (b eq 2 or c eq 3)", ODataFilter.And("a eq 1", "b eq 2 or c eq 3"));
    }
}
