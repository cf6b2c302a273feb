using System;
using System.Net;

namespace CallRecords.Graph;

/// <summary>
/// A request Graph answered with an error status (after the SDK's own retries), or that failed for good at the page
/// level. Carries what an admin needs to act and to quote to support: status, Graph's error code and message, the
/// request-id and client-request-id, and the URL. Never a token.
/// </summary>
public sealed class GraphRequestException : Exception
{
    public GraphRequestException(string message, int statusCode, string? errorCode, string? graphMessage, string? requestId,
        string? clientRequestId, Uri? requestUri, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        GraphMessage = graphMessage;
        RequestId = requestId;
        ClientRequestId = clientRequestId;
        RequestUri = requestUri;
    }

    /// <summary>HTTP status; 0 when no response arrived (connection refused, reset, timeout, unreadable body).</summary>
    public int StatusCode { get; }
    public string? ErrorCode { get; }
    public string? GraphMessage { get; }
    public string? RequestId { get; }
    public string? ClientRequestId { get; }
    public Uri? RequestUri { get; }
    /// <summary>Graph's Retry-After on a 429/503/504 (seconds or an HTTP date, as a wait from when it arrived).</summary>
    public TimeSpan? RetryAfter { get; internal set; }
    /// <summary>
    /// A refusal of this one request's input (the id or body it carries) rather than of the caller, the connection or
    /// the service: 400, 404, 409, 410, 414 and 422. Cmdlets report these per input item and go on with the next; 401,
    /// 403, 405, 429 and 5xx end the command, since every following request would fail the same way.
    /// </summary>
    public bool IsAboutTheInput => StatusCode is 400 or 404 or 409 or 410 or 414 or 422;

    /// <summary>The HTTP method of the failed request (GET for reads).</summary>
    public string Method { get; private set; } = "GET";

    internal static GraphRequestException FromResponse(int status, string? code, string? graphMessage, string? requestId, string? clientRequestId, Uri uri, Exception? inner, string method = "GET")
    {
        var reason = Enum.IsDefined(typeof(HttpStatusCode), status) ? ((HttpStatusCode)status).ToString() : "Error";
        var text = $"Graph returned {status} {reason}";
        if (!string.IsNullOrEmpty(code)) text += $" ({code})";
        text += string.IsNullOrEmpty(graphMessage) ? "." : $": {graphMessage}";
        if (!string.IsNullOrEmpty(graphMessage) && !graphMessage!.EndsWith(".", StringComparison.Ordinal)) text += ".";
        text += Describe(requestId, clientRequestId, uri, method);
        return new GraphRequestException(text, status, code, graphMessage, requestId, clientRequestId, uri, inner) { Method = method };
    }

    /// <summary>Reads a Retry-After value: delta-seconds or an HTTP date (RFC 9110 10.2.3).</summary>
    internal static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value!.Trim();
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParseExact(text, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    internal static GraphRequestException Transport(string what, string? clientRequestId, Uri uri, int attempts, Exception inner, string method = "GET")
    {
        var text = $"{what} after {attempts} attempt{(attempts == 1 ? "" : "s")}: {inner.Message}{Describe(null, clientRequestId, uri, method)}";
        return new GraphRequestException(text, 0, null, null, null, clientRequestId, uri, inner) { Method = method };
    }

    private static string Describe(string? requestId, string? clientRequestId, Uri uri, string method = "GET") =>
        (requestId is null ? "" : $" request-id: {requestId};") +
        (clientRequestId is null ? "" : $" client-request-id: {clientRequestId};") +
        $" {method} {ShortUrl(uri)}";

    /// <summary>The URL for a message: whole up to 300 characters, otherwise its start and length (a 414's URL can be
    /// 100 kB; the message names the request, it does not repeat it).</summary>
    internal static string ShortUrl(Uri uri)
    {
        const int keep = 300;
        var text = uri.AbsoluteUri;
        return text.Length <= keep ? text : text.Substring(0, keep) + string.Format(System.Globalization.CultureInfo.InvariantCulture, "… ({0:N0} characters)", text.Length);
    }
}
