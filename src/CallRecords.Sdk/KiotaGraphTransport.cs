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
        catch (Exception e) when (Failure(e, request) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// The SDK's answer to an error status as a <see cref="GraphRequestException"/> (status, Graph's code and message,
    /// request-id, Retry-After); null for anything else (connection failures, cancellation), which passes unchanged.
    /// </summary>
    private static GraphRequestException? Failure(Exception e, GraphRequest request)
    {
        ApiException answer;
        string? code = null, message = null, requestId = null, clientRequestId = null;
        switch (e)
        {
            case ODataError odata:
                // Graph's JSON error body, parsed by the SDK.
                answer = odata;
                (code, message) = (odata.Error?.Code, odata.Error?.Message);
                (requestId, clientRequestId) = (odata.Error?.InnerError?.RequestId, odata.Error?.InnerError?.ClientRequestId);
                break;
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions[aggregate.InnerExceptions.Count - 1] is ApiException last:
                // The SDK's retry handler gave up on a 429/503/504: it wraps each failed attempt's response; the last
                // one carries the status, the headers and Graph's error body (in its message text).
                answer = last;
                (code, message, requestId) = ErrorBody(last.Message);
                break;
            case ApiException plain:
                // A non-JSON error body: status and headers are all there is.
                answer = plain;
                break;
            default:
                return null;
        }
        var failure = GraphRequestException.FromResponse(answer.ResponseStatusCode, code, message, requestId ?? Header(answer, "request-id"),
            clientRequestId ?? request.ClientRequestId, request.Uri, null, request.Method);
        failure.RetryAfter = GraphRequestException.ParseRetryAfter(Header(answer, "Retry-After"), DateTimeOffset.UtcNow);
        return failure;
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
