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

    /// <summary>Retry-After (seconds or an HTTP date), read by the one parser <see cref="GraphRequestException.ParseRetryAfter"/>; null when absent.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        GraphRequestException.ParseRetryAfter(response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null, DateTimeOffset.UtcNow);
}
