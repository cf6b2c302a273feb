using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

public sealed class GraphQueryTests
{
    private static readonly Uri Endpoint = new("https://graph.microsoft.com/");

    [Fact]
    public void BuildsTheUrlUnderTheApiVersionWithEscapedOptions()
    {
        var q = GraphQuery.ForPath("communications/callRecords").WithFilter("startDateTime ge 2026-11-01T00:00:00Z").WithSelect(new[] { "id", "type", "ID" }).WithMaxPageSize(100);
        var uri = q.ToUri(Endpoint, "v1.0");
        Assert.Equal("https://graph.microsoft.com/v1.0/communications/callRecords?$filter=startDateTime%20ge%202026-11-01T00%3A00%3A00Z&$select=id%2Ctype", uri.AbsoluteUri);
        Assert.Contains(new KeyValuePair<string, string>("Prefer", "odata.maxpagesize=100, include-unknown-enum-members"), q.AllHeaders());
        // Without a page size, Prefer still asks for the evolvable enums' later members.
        Assert.Equal(new[] { new KeyValuePair<string, string>("Prefer", "include-unknown-enum-members") }, GraphQuery.ForPath("x").AllHeaders());
        Assert.Equal("https://graph.microsoft.com/beta/communications/callRecords", GraphQuery.ForPath("communications/callRecords").WithApiVersion("beta").ToUri(Endpoint, "v1.0").AbsoluteUri);
    }

    [Fact]
    public void IsImmutable()
    {
        var a = GraphQuery.ForPath("x");
        var b = a.WithFilter("f").WithExpand("e").WithHeader("h", "v");
        Assert.Null(a.Filter);
        Assert.Null(a.Expand);
        Assert.Empty(a.Headers);
        Assert.Equal("f", b.Filter);
        Assert.Equal("v", b.Headers["h"]);
    }

    [Fact]
    public void NextLinksAreSentVerbatimWithTheSameHeaders()
    {
        var link = new Uri("https://graph.microsoft.com/v1.0/communications/callRecords?$skiptoken=a%2Bb");
        var next = GraphQuery.ForPath("communications/callRecords").WithFilter("x").WithMaxPageSize(5).ForNextLink(link);
        Assert.Same(link, next.ToUri(Endpoint, "beta"));
        Assert.Null(next.Filter);
        Assert.Equal(5, next.MaxPageSize);
    }

    [Fact]
    public void IdsAreCheckedThenEscapedAsPathSegments()
    {
        Assert.Equal("communications/callRecords/2f1a5e3c-8a9b-4c7d-9e0f-1a2b3c4d5e6f", CallRecordReader.RecordPath(" 2f1a5e3c-8a9b-4c7d-9e0f-1a2b3c4d5e6f "));
        Assert.Equal("communications/callRecords/%C3%A9t%C3%A9", CallRecordReader.RecordPath("été"));
        // Whatever a caller checked before, a path id that would change the request never reaches a URL.
        foreach (var bad in new[] { "a/b?c", ".", "..", "a\\b", "%2e%2e", "a#b", "", new string('x', 129), "a\u0000b" })
            Assert.StartsWith("CallRecordId", Assert.Throws<CallRecordsException>(() => CallRecordReader.RecordPath(bad)).ErrorId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2f1a5e3c-8a9b-4c7d-9e0f-1a2b3c4d5e6f", "Session", null)]
    [InlineData("+12067860204", "Participant", null)]
    [InlineData("o'brien", "Participant", null)]
    [InlineData("o'brien", "CallRecord", "contains '''")]
    [InlineData("..", "Session", "is a relative path")]
    [InlineData("..", "Participant", null)]
    [InlineData("a b", "Segment", "contains a space")]
    [InlineData(" ", "CallRecord", "is empty")]
    [InlineData("a\u0007b", "Participant", "control character U+0007")]
    public void GraphIdSaysWhatIsWrong(string id, string kind, string? problem)
    {
        var found = GraphId.Problem(id, Enum.Parse<GraphIdKind>(kind), out _);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found, StringComparison.Ordinal);
    }
}
