using CallRecords.Graph;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>Verbose request lines shorten opaque paging tokens and keep the rest of the URL.</summary>
public sealed class RequestTraceTests
{
    [Fact]
    public void A_long_skiptoken_shows_its_start_and_length_and_the_rest_of_the_url_stays()
    {
        var token = new string('A', 8) + new string('x', 292);
        var uri = new Uri("https://graph.microsoft.com/v1.0/communications/callRecords?$filter=startDateTime%20ge%202026-01-01&$skiptoken=" + token + "&$top=999");
        var trace = new RequestTrace("GET", uri, 200, TimeSpan.FromMilliseconds(12), "rid", null, null);
        var line = trace.ToString();
        Assert.Contains("$skiptoken=AAAAAAAA…(300 chars)", line);
        Assert.DoesNotContain(token, line);
        Assert.Contains("$filter=startDateTime%20ge%202026-01-01", line);
        Assert.Contains("&$top=999", line);
        Assert.True(line.Length < 200, line);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0/communications/callRecords?$top=999")]
    [InlineData("https://graph.microsoft.com/v1.0/communications/callRecords?$skiptoken=short")]
    [InlineData("https://graph.microsoft.com/v1.0/communications/callRecords/abc")]
    public void Urls_without_a_long_token_are_unchanged(string url) =>
        Assert.Equal(new Uri(url).AbsoluteUri, RequestTrace.ShortenTokens(new Uri(url).AbsoluteUri));
}
