using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Extensions;

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

/// <summary>Kiota request option that carries the observer down to <see cref="RequestTraceHandler"/>.</summary>
internal sealed class RequestTraceOption : IRequestOption
{
    public RequestTraceOption(IRequestObserver observer) => Observer = observer;
    public IRequestObserver Observer { get; }
}

/// <summary>
/// The innermost handler of the Graph SDK pipeline (after retry and redirect), so each attempt is reported with its
/// own status and timing. It reads only the request line and the id headers; Authorization is never touched.
/// </summary>
internal sealed class RequestTraceHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var observer = request.GetRequestOption<RequestTraceOption>()?.Observer;
        if (observer is null) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var clientRequestId = request.Headers.TryGetValues("client-request-id", out var ids) ? ids.FirstOrDefault() : null;
        var retryAttempt = request.Headers.TryGetValues("Retry-Attempt", out var attempts) &&
            int.TryParse(attempts.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var watch = Stopwatch.StartNew();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var requestId = response.Headers.TryGetValues("request-id", out var rid) ? rid.FirstOrDefault() : null;
            observer.OnRequest(new RequestTrace(request.Method.Method, request.RequestUri!, (int)response.StatusCode, watch.Elapsed, requestId, clientRequestId, null,
                retryAttempt, RetryAfter(response)));
            return response;
        }
        catch (Exception ex)
        {
            observer.OnRequest(new RequestTrace(request.Method.Method, request.RequestUri!, null, watch.Elapsed, null, clientRequestId,
                ex is OperationCanceledException && cancellationToken.IsCancellationRequested ? "cancelled" : ex.GetType().Name, retryAttempt));
            throw;
        }
    }

    /// <summary>Retry-After as seconds or as an HTTP date (both are allowed); null when absent.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero;
        return null;
    }
}
