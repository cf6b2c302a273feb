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

    public override string ToString() =>
        $"{Method} {Uri.AbsoluteUri} → {(Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response (" + Failure + ")")} in {(long)Elapsed.TotalMilliseconds} ms" +
        (RequestId is null ? "" : $" request-id: {RequestId}") +
        (ClientRequestId is null ? "" : $" client-request-id: {ClientRequestId}");
}

/// <summary>Receives a trace for every HTTP attempt (retries included) of the requests it was attached to.</summary>
internal interface IRequestObserver
{
    void OnRequest(RequestTrace trace);
}
