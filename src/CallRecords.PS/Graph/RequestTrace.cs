using System;

namespace CallRecords.Graph;

/// <summary>What one HTTP attempt did: for -Verbose and diagnostics. Holds no header values but the ids.</summary>
internal sealed class RequestTrace
{
    public RequestTrace(string method, Uri uri, int? status, TimeSpan elapsed, string? requestId, string? clientRequestId, string? failure,
        int retryAttempt = 0, TimeSpan? retryAfter = null)
    {
        RetryAttempt = retryAttempt;
        RetryAfter = retryAfter;
        Method = method;
        Uri = uri;
        Status = status;
        Elapsed = elapsed;
        RequestId = requestId;
        ClientRequestId = clientRequestId;
        Failure = failure;
    }

    public string Method { get; }
    public Uri Uri { get; }
    public int? Status { get; }
    public TimeSpan Elapsed { get; }
    public string? RequestId { get; }
    public string? ClientRequestId { get; }
    public string? Failure { get; }
    /// <summary>0 for a first attempt; n when the Graph SDK's retry handler sent this as its n-th retry (its
    /// Retry-Attempt request header).</summary>
    public int RetryAttempt { get; }
    /// <summary>The response's Retry-After, when Graph sent one (429/503).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The URL as -Verbose and the debug lines show it: an opaque paging token ($skiptoken, $deltatoken)
    /// longer than 16 characters shows its first 8 and its length, so a line stays short enough to read; everything
    /// else of the URL is unchanged. The request itself always carries the whole token.</summary>
    public string UrlText => ShortenTokens(Uri.AbsoluteUri);

    internal static string ShortenTokens(string url)
    {
        var q = url.IndexOf('?');
        if (q < 0) return url;
        var parts = url.Substring(q + 1).Split('&');
        var changed = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq < 0) continue;
            var name = Uri.UnescapeDataString(parts[i].Substring(0, eq));
            if (!name.Equals("$skiptoken", StringComparison.OrdinalIgnoreCase) && !name.Equals("$deltatoken", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parts[i].Substring(eq + 1);
            if (value.Length <= 16) continue;
            parts[i] = parts[i].Substring(0, eq + 1) + value.Substring(0, 8) + "…(" + value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " chars)";
            changed = true;
        }
        return changed ? url.Substring(0, q + 1) + string.Join("&", parts) : url;
    }

    public override string ToString() =>
        $"{Method} {UrlText} → {(Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response (" + Failure + ")")} in {(long)Elapsed.TotalMilliseconds} ms" +
        (RequestId is null ? "" : $" request-id: {RequestId}") +
        (ClientRequestId is null ? "" : $" client-request-id: {ClientRequestId}");
}

/// <summary>Receives a trace for every HTTP attempt (retries included) of the requests it was attached to.</summary>
internal interface IRequestObserver
{
    void OnRequest(RequestTrace trace);
}
