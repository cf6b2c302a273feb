using GraphEmulator;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

public sealed class TenantTests
{
    [Fact]
    public async Task EachTenantsTokenSeesItsOwnRecordsWhenInterleaved()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 3, Records = 120, Now = SharedEmulatorFixture.FixedNow });
        const string other = "0c5a8f9e-1111-4a2b-9c3d-5e6f7a8b9c0d";
        var otherData = await host.AddTenantAsync(other, seed: 99, records: 80);

        using var a = new GraphTestClient(host, host.MintToken());
        using var b = new GraphTestClient(host, host.MintToken(tenantId: other));
        // Interleave page by page so a store chosen per connection or per process would show up as mixed ids.
        var idsA = new List<string>();
        var idsB = new List<string>();
        string? nextA = "v1.0/communications/callRecords", nextB = nextA;
        while (nextA is not null || nextB is not null)
        {
            if (nextA is not null) nextA = await Page(a, nextA, idsA);
            if (nextB is not null) nextB = await Page(b, nextB, idsB);
        }

        var now = SharedEmulatorFixture.FixedNow;
        Assert.Equal(host.Data.Records.Where(r => r.StartDateTime >= now.AddDays(-30)).Select(r => r.Id).OrderBy(x => x), idsA.OrderBy(x => x));
        Assert.Equal(otherData.Records.Where(r => r.StartDateTime >= now.AddDays(-30)).Select(r => r.Id).OrderBy(x => x), idsB.OrderBy(x => x));
        Assert.Empty(idsA.Intersect(idsB));
        Assert.Same(otherData, host.DataFor(other));

        // A record of the other tenant is not found with this tenant's token.
        var miss = await a.GetAsync($"v1.0/communications/callRecords/{idsB[0]}");
        GraphAssert.Error(miss, System.Net.HttpStatusCode.NotFound, "NotFound");
    }

    private static async Task<string?> Page(GraphTestClient c, string url, List<string> ids)
    {
        var r = await c.GetAsync(url, m => m.Headers.Add("Prefer", "odata.maxpagesize=25"));
        Assert.Equal(System.Net.HttpStatusCode.OK, r.Status);
        ids.AddRange(GraphAssert.Ids(new[] { r.Body! }));
        return r.Body!["@odata.nextLink"]?.GetValue<string>();
    }
}
