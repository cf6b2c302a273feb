using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GraphEmulator;
using GraphEmulator.Data;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

/// <summary>One read-mostly emulator shared by the read tests: fixed clock, 40 days of data (so some records are past
/// the 30-day retention), throttles off so tests don't interfere.</summary>
public sealed class SharedEmulatorFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset FixedNow = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public EmulatorHost Host { get; private set; } = null!;
    public GraphTestClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 7, Records = 600, Days = 40, Now = FixedNow, LogRows = 6000, Throttle = false });
        Client = new GraphTestClient(Host);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>The retained records in the order Graph lists them (the ground truth's order).</summary>
    public IReadOnlyList<CallRecordEntry> Retained =>
        Host.Truth.Records().Select(id => Host.Data.TryGetIndex(id, out var i) ? Host.Data.Records[i] : throw new InvalidOperationException(id)).ToList();
}

[CollectionDefinition(Name)]
public sealed class SharedEmulatorCollection : ICollectionFixture<SharedEmulatorFixture>
{
    public const string Name = "shared emulator";
}

public sealed record GraphResponse(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Message)
{
    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var v) ? string.Join(",", v)
        : Message.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c) : null;
}

/// <summary>HttpClient over loopback with a minted token.</summary>
public sealed class GraphTestClient : IDisposable
{
    private readonly HttpClient _http;

    public GraphTestClient(EmulatorHost host, string? token = null)
    {
        Host = host;
        _http = new HttpClient { BaseAddress = host.BaseAddress };
        Token = token ?? host.MintToken();
    }

    public EmulatorHost Host { get; }
    public string? Token { get; set; }

    public async Task<GraphResponse> SendAsync(HttpMethod method, string url, JsonNode? body = null, string? rawBody = null,
        Action<HttpRequestMessage>? configure = null)
    {
        using var req = new HttpRequestMessage(method, url);
        if (Token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (body is not null) req.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        if (rawBody is not null) req.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        configure?.Invoke(req);
        var res = await _http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        return new GraphResponse(res.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject, res);
    }

    public Task<GraphResponse> GetAsync(string url, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Get, url, configure: configure);

    /// <summary>Follows @odata.nextLink from <paramref name="url"/>, returning every page.</summary>
    public async Task<List<JsonObject>> GetAllPagesAsync(string url, Action<HttpRequestMessage>? configure = null, int maxPages = 1000)
    {
        var pages = new List<JsonObject>();
        string? next = url;
        while (next is not null)
        {
            var r = await GetAsync(next, configure);
            Assert.Equal(HttpStatusCode.OK, r.Status);
            pages.Add(r.Body!);
            next = r.Body!["@odata.nextLink"]?.GetValue<string>();
            Assert.True(pages.Count <= maxPages, "nextLink chain does not end");
        }
        return pages;
    }

    public void Dispose() => _http.Dispose();
}

internal static class GraphAssert
{
    /// <summary>Graph's error shape: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.</summary>
    public static JsonObject Error(GraphResponse r, HttpStatusCode status, string code)
    {
        Assert.Equal(status, r.Status);
        Assert.NotNull(r.Body);
        var error = r.Body!["error"]!.AsObject();
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        var inner = error["innerError"]!.AsObject();
        Assert.False(string.IsNullOrEmpty(inner["date"]!.GetValue<string>()));
        Assert.Equal(r.Header("request-id"), inner["request-id"]!.GetValue<string>());
        Assert.Equal(r.Header("client-request-id"), inner["client-request-id"]!.GetValue<string>());
        return error;
    }

    public static List<string> Ids(IEnumerable<JsonObject> pages) =>
        pages.SelectMany(p => p["value"]!.AsArray()).Select(v => v!["id"]!.GetValue<string>()).ToList();
}
