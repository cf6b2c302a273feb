using CallRecords.Connection;
using Xunit;

namespace CallRecords.PS.Tests.Auth;

/// <summary>-Environment, -GraphEndpoint and -AuthorityHost: the national clouds' endpoints (Graph's "national cloud
/// deployments" page), the token scope, and when MSAL's instance discovery is turned off.</summary>
public sealed class ConnectionSettingsTests
{
    [Theory]
    [InlineData("Global", "https://graph.microsoft.com/", "https://login.microsoftonline.com/")]
    [InlineData("USGov", "https://graph.microsoft.us/", "https://login.microsoftonline.us/")]
    [InlineData("USGovDoD", "https://dod-graph.microsoft.us/", "https://login.microsoftonline.us/")]
    [InlineData("china", "https://microsoftgraph.chinacloudapi.cn/", "https://login.chinacloudapi.cn/")]
    public void Environment_sets_graph_endpoint_authority_and_scope(string name, string graph, string authority)
    {
        var s = new ConnectionSettings(environment: CloudEnvironment.Parse(name));
        Assert.Equal(new Uri(graph), s.GraphEndpoint);
        Assert.Equal(new Uri(authority), s.AuthorityHost);
        Assert.Equal([graph + ".default"], s.Scopes);
        Assert.False(s.DisableInstanceDiscovery);
    }

    [Fact]
    public void Overrides_win_and_a_private_authority_turns_instance_discovery_off()
    {
        var s = new ConnectionSettings(new Uri("https://graph.contoso.test/v1.0/ignored"), environment: CloudEnvironment.USGov,
            authorityHost: new Uri("https://127.0.0.1:8443/some-tenant"));
        Assert.Equal(new Uri("https://graph.contoso.test/"), s.GraphEndpoint);
        Assert.Equal(new Uri("https://127.0.0.1:8443/"), s.AuthorityHost);
        Assert.Equal(["https://graph.contoso.test/.default"], s.Scopes);
        Assert.True(s.DisableInstanceDiscovery);
        Assert.Equal("USGov", s.Environment.Name);
    }

    [Fact]
    public void Authority_must_be_https_and_environment_known()
    {
        Assert.Throws<ArgumentException>(() => new ConnectionSettings(authorityHost: new Uri("http://login.example.com")));
        Assert.Throws<ArgumentException>(() => CloudEnvironment.Parse("Germany"));
    }

    [Fact]
    public void Tokens_are_refreshed_at_half_their_life_at_most_five_minutes_early()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(now.AddMinutes(55), ConnectionTokenCache.RefreshAt(now, new Azure.Core.AccessToken("t", now.AddHours(1))));
        Assert.Equal(now.AddSeconds(1.5), ConnectionTokenCache.RefreshAt(now, new Azure.Core.AccessToken("t", now.AddSeconds(3))));
        Assert.Equal(now, ConnectionTokenCache.RefreshAt(now, new Azure.Core.AccessToken("t", now.AddSeconds(-1))));
    }
}
