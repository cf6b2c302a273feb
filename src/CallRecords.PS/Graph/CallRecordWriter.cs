using System;
using System.IO;
using System.Net.Http;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Models;
using CallRecords.Models.Mapping;

namespace CallRecords.Graph;

/// <summary>
/// The documented write operations on call records: POST a record, POST/PATCH/DELETE a session, POST a segment.
/// The real service refuses them; the emulator accepts them (seeding tests). Each is sent exactly once through the
/// transport: no page-level retry, since a write that timed out may already have happened (the SDK's handler still
/// repeats 429/503/504, which Graph answers before doing anything). Created objects are mapped by the same mapper
/// as the reads.
/// </summary>
internal sealed class CallRecordWriter
{
    private readonly IGraphTransport _transport;
    private readonly Uri _graphEndpoint;
    private readonly string _apiVersion;
    private readonly IRequestObserver? _observer;

    public CallRecordWriter(IGraphTransport transport, Uri graphEndpoint, string apiVersion, IRequestObserver? observer)
    {
        _transport = transport;
        _graphEndpoint = graphEndpoint;
        _apiVersion = apiVersion;
        _observer = observer;
    }

    /// <summary>Raised before each request with its method and URL (never a header).</summary>
    public event Action<string>? Sending;

    /// <summary>The URL a path resolves to on this connection.</summary>
    public Uri UriOf(string path) => GraphQuery.ForPath(path).ToUri(_graphEndpoint, _apiVersion);

    public Task<CallRecord> CreateCallRecordAsync(byte[] body, CancellationToken ct) =>
        SendAsync("POST", CallRecordReader.CollectionPath, body, CallRecordMapper.MapCallRecord, ct);

    public Task<CallRecordSession> AddSessionAsync(string callRecordId, byte[] body, CancellationToken ct) =>
        SendAsync("POST", CallRecordReader.SessionsPath(callRecordId), body, e => CallRecordMapper.MapSession(e, callRecordId), ct);

    /// <summary>PATCH: Graph changes exactly the properties in <paramref name="body"/> and answers 204.</summary>
    public Task UpdateSessionAsync(string callRecordId, string sessionId, byte[] body, CancellationToken ct) =>
        SendAsync<object?>("PATCH", CallRecordReader.SessionPath(callRecordId, sessionId), body, null, ct);

    public Task RemoveSessionAsync(string callRecordId, string sessionId, CancellationToken ct) =>
        SendAsync<object?>("DELETE", CallRecordReader.SessionPath(callRecordId, sessionId), null, null, ct);

    public Task<CallRecordSegment> AddSegmentAsync(string callRecordId, string sessionId, byte[] body, CancellationToken ct) =>
        SendAsync("POST", CallRecordReader.SessionPath(callRecordId, sessionId) + "/segments", body, e => CallRecordMapper.MapSegment(e, callRecordId, sessionId), ct);

    /// <summary>Sends once; maps the answer with <paramref name="map"/>, or ignores it (204) when there is none.</summary>
    private async Task<T> SendAsync<T>(string method, string path, byte[]? body, Func<JsonElement, T>? map, CancellationToken ct)
    {
        var uri = UriOf(path);
        Sending?.Invoke($"{method} {uri.AbsoluteUri}" + (body is null ? "" : $" ({body.Length} bytes of JSON)"));
        var request = new GraphRequest(uri, Enumerable.Empty<System.Collections.Generic.KeyValuePair<string, string>>(), Guid.NewGuid().ToString(), _observer, method, body);
        Stream response;
        try
        {
            response = await _transport.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or IOException or OperationCanceledException)
        {
            // Sent once and never repeated here: the service may have acted before the connection failed.
            throw GraphRequestException.Transport("The connection to Graph failed; the write may or may not have been applied (check before repeating it)",
                request.ClientRequestId, uri, 1, e, method);
        }
        using var owned = response;
        if (map is null) return default!;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(response, default, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or IOException or OperationCanceledException)
        {
            throw GraphRequestException.Transport("The connection to Graph failed while reading its answer; the write was probably applied (check before repeating it)",
                request.ClientRequestId, uri, 1, e, method);
        }
        catch (JsonException e)
        {
            // The write happened; only its answer is unreadable. Saying so keeps the user from repeating it blindly.
            throw UnreadableAnswer(method, uri, $"its response was not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw UnreadableAnswer(method, uri, "its response was not a JSON object", null);
            return map(document.RootElement);
        }
    }

    private static CallRecordsException UnreadableAnswer(string method, Uri uri, string what, Exception? inner) => new(
        "GraphWriteResponseUnreadable", System.Management.Automation.ErrorCategory.InvalidResult,
        $"Graph accepted {method} {uri.AbsoluteUri} but {what}.",
        "The object was probably created: look it up with Get-CallRecord before repeating the command.", null, inner);
}
