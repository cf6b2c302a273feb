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
        Assert.Contains(new KeyValuePair<string, string>("Prefer", "odata.maxpagesize=100"), q.AllHeaders());
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
    public void IdsAreEscapedAsPathSegments() =>
        Assert.Equal("communications/callRecords/a%2Fb%3Fc", CallRecordReader.RecordPath("a/b?c"));
}
