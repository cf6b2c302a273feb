using CallRecords.Completers;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

public class CallRecordIdHistoryTests
{
    [Fact]
    public void KeepsTheMostRecentlySeenIdsUpToItsCapacity()
    {
        var history = new CallRecordIdHistory(3);
        foreach (var id in new[] { "a1", "b1", "a2", "b2" }) history.Add(id, id);

        Assert.Equal(3, history.Count);
        Assert.Equal(["b2", "a2", "b1"], history.Find("").Select(e => e.Id));

        history.Add("B1", "seen again"); // case-insensitive, moves to the front, keeps one entry
        Assert.Equal(["B1", "b2", "a2"], history.Find("").Select(e => e.Id));
        Assert.Equal("seen again", history.Find("b1").Single().Description);
        Assert.Equal(["a2"], history.Find("A").Select(e => e.Id));
    }

    [Fact]
    public void TheSharedHistoryIsBounded()
    {
        Assert.Equal(CallRecordIdHistory.DefaultCapacity, CallRecordIdHistory.Shared.Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CallRecordIdHistory(0));
    }
}
