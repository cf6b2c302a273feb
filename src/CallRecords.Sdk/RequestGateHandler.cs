using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;

namespace CallRecords.Sdk;

/// <summary>
/// Inside the SDK's retry handler: each attempt, first or retried, waits for the connection's request budget before it
/// leaves, and a 429 tells the budget, so every cmdlet on the connection backs off from that window together.
/// </summary>
internal sealed class RequestGateHandler : DelegatingHandler
{
    private readonly IRequestGate _gate;

    public RequestGateHandler(IRequestGate gate) => _gate = gate;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        using (await _gate.AdmitAsync(uri, cancellationToken).ConfigureAwait(false))
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode == 429) _gate.Throttled(uri, RequestTraceHandler.RetryAfter(response));
            return response;
        }
    }
}
