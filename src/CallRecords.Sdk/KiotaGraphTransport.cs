using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace CallRecords.Graph;

/// <summary>
/// Sends requests with the GraphServiceClient's request adapter, so the SDK's handlers (auth, retry with
/// Retry-After, redirect, compression, telemetry headers) run for every page. The body comes back as a stream
/// that the engine parses itself.
/// </summary>
internal sealed class KiotaGraphTransport : IGraphTransport
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["4XX"] = ODataError.CreateFromDiscriminatorValue,
        ["5XX"] = ODataError.CreateFromDiscriminatorValue,
    };

    private readonly IRequestAdapter _adapter;
    private readonly IDisposable? _owned;

    public KiotaGraphTransport(IRequestAdapter adapter, IDisposable? owned)
    {
        _adapter = adapter;
        _owned = owned;
    }

    /// <summary>
    /// Any method through the same adapter. Writes get no page-level retry (they are not idempotent: a POST that
    /// timed out may have created the object), but the SDK's retry handler still repeats them on 429/503/504 with
    /// Retry-After: the body is a MemoryStream with a known length, which the handler can resend.
    /// </summary>
    public async Task<Stream> SendAsync(GraphRequest request, CancellationToken cancellationToken)
    {
        var info = new RequestInformation { HttpMethod = ToMethod(request.Method), URI = request.Uri };
        info.Headers.TryAdd("Accept", "application/json");
        info.Headers.TryAdd("client-request-id", request.ClientRequestId);
        foreach (var h in request.Headers) info.Headers.TryAdd(h.Key, h.Value);
        if (request.JsonBody is { } json) info.SetStreamContent(new MemoryStream(json, writable: false), "application/json");
        if (request.Observer is not null) info.AddRequestOptions(new IRequestOption[] { new RequestTraceOption(request.Observer) });
        try
        {
            var body = await _adapter.SendPrimitiveAsync<Stream>(info, ErrorMapping, cancellationToken).ConfigureAwait(false);
            return body ?? Stream.Null;
        }
        catch (ODataError e)
        {
            var requestId = e.Error?.InnerError?.RequestId ?? Header(e, "request-id");
            var failure = GraphRequestException.FromResponse(e.ResponseStatusCode, e.Error?.Code, e.Error?.Message, requestId,
                e.Error?.InnerError?.ClientRequestId ?? request.ClientRequestId, request.Uri, null, request.Method);
            failure.RetryAfter = GraphRequestException.ParseRetryAfter(Header(e, "Retry-After"), DateTimeOffset.UtcNow);
            throw failure;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions[e.InnerExceptions.Count - 1] is ApiException last)
        {
            // The SDK's retry handler gave up on a 429/503/504: it wraps each failed attempt's response; the last
            // one carries the status, the headers and Graph's error body (in its message text).
            var (code, message, requestId) = ErrorBody(last.Message);
            var failure = GraphRequestException.FromResponse(last.ResponseStatusCode, code, message, requestId ?? Header(last, "request-id"),
                request.ClientRequestId, request.Uri, null, request.Method);
            failure.RetryAfter = GraphRequestException.ParseRetryAfter(Header(last, "Retry-After"), DateTimeOffset.UtcNow);
            throw failure;
        }
        catch (ApiException e)
        {
            // A non-JSON error body: status and headers are all there is.
            var failure = GraphRequestException.FromResponse(e.ResponseStatusCode, null, null, Header(e, "request-id"), request.ClientRequestId, request.Uri, null, request.Method);
            failure.RetryAfter = GraphRequestException.ParseRetryAfter(Header(e, "Retry-After"), DateTimeOffset.UtcNow);
            throw failure;
        }
    }

    private static Method ToMethod(string method) => method.ToUpperInvariant() switch
    {
        "GET" => Method.GET,
        "POST" => Method.POST,
        "PATCH" => Method.PATCH,
        "PUT" => Method.PUT,
        "DELETE" => Method.DELETE,
        _ => throw new ArgumentException($"Unsupported HTTP method '{method}'.", nameof(method)),
    };

    /// <summary>Graph's error code, message and request-id from the JSON after the SDK's "status code: X." prefix.</summary>
    private static (string? Code, string? Message, string? RequestId) ErrorBody(string text)
    {
        var start = text.IndexOf('{');
        if (start < 0) return (null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(text.Substring(start));
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return (null, null, null);
            string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var requestId = error.TryGetProperty("innerError", out var inner) && inner.ValueKind == JsonValueKind.Object ? Str(inner, "request-id") : null;
            return (Str(error, "code"), Str(error, "message"), requestId);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    private static string? Header(ApiException e, string name) =>
        e.ResponseHeaders?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public void Dispose() => _owned?.Dispose();
}
