using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// Times one HTTP attempt up to its response headers. HttpClient.Timeout would also cover the retry handler's
/// Retry-After waits, so it is off and this handler sits below the retry handler instead. A timeout surfaces as
/// <see cref="TimeoutException"/>, which the page-level retry treats as transient and a caller's cancellation is not.
/// </summary>
internal sealed class AttemptTimeoutHandler : DelegatingHandler
{
    private readonly TimeSpan _timeout;

    public AttemptTimeoutHandler(TimeSpan timeout) => _timeout = timeout;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_timeout);
        try
        {
            return await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && attempt.IsCancellationRequested)
        {
            throw new TimeoutException($"No response within the per-attempt timeout of {_timeout.TotalSeconds:0.###} s.", e);
        }
    }
}
