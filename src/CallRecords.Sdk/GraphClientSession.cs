using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using CallRecords.Connection;
using CallRecords.Graph;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace CallRecords.Sdk;

/// <summary>
/// One connection's GraphServiceClient (its HttpClient and handler pipeline, reused by every cmdlet call) and the
/// token cache in front of its credential. Graph SDK and Azure.Core types stay in this assembly; the root assembly
/// sees it as <see cref="IGraphClient"/>.
/// </summary>
internal sealed class GraphClientSession : IGraphClient
{
    private readonly ConnectionSettings _settings;
    private readonly ConnectionTokenCache _tokens;
    private readonly IGraphTransport _transport;

    public GraphClientSession(ConnectionSettings settings, TokenCredential credential, Func<Exception, Exception>? describeFailure = null, IRequestGate? gate = null)
    {
        _settings = settings;
        _tokens = new ConnectionTokenCache(credential, describeFailure ?? (e => e),
            ConnectionTokenCache.Budget(settings.MaxRetry, settings.RequestTimeout, settings.RetryDelay, CredentialFactory.MaxRetryDelay(settings)));
        // Kiota's Azure provider sends a token only to allowed hosts; the endpoint is the one host we talk to,
        // which also admits the emulator's loopback address (http is accepted for localhost/127.0.0.1 only).
        var auth = new AzureIdentityAuthenticationProvider(_tokens, new[] { settings.GraphEndpoint.Host }, null, false, settings.Scopes);
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        // The SDK's retry handler with the connection's -MaxRetry; its delay (whole seconds) applies only when a
        // 429/503/504 has no Retry-After.
        var retry = -1;
        for (var i = 0; i < handlers.Count; i++) if (handlers[i] is RetryHandler) retry = i;
        // A 429/503/504 without Retry-After (Graph does not always send one; codes vary, e.g. activityLimitReached) is
        // not retried here on a read: the SDK would wait a fixed exponential series without jitter, so every client
        // throttled together would come back together. The page-level retry (PageRetryPolicy) backs off exponentially
        // with jitter instead. Writes have no page-level retry and keep the SDK's.
        var sdkRetry = new RetryHandler(new RetryHandlerOption
        {
            MaxRetry = settings.MaxRetry,
            Delay = (int)Math.Ceiling(settings.RetryDelay.TotalSeconds),
            // The statuses the SDK's own ShouldRetry retries (this one replaces it), then the Retry-After rule above.
            ShouldRetry = (_, _, response) => (int)response.StatusCode is 429 or 503 or 504
                                              && (response.Headers.RetryAfter is not null || response.RequestMessage?.Method != HttpMethod.Get),
        });
        if (retry >= 0) handlers[retry] = sdkRetry; else handlers.Add(sdkRetry);
        // Windows PowerShell 5.1 (or the Desktop switch): a connection slot first, so the timer below starts when the
        // request can be sent, and a handler of our own with TLS 1.2/1.3 and the connection limit (HttpProfile).
        var desktop = settings.Http.Desktop;
        if (desktop) handlers.Add(new ConnectionSlotHandler(settings.Http.ConnectionLimit));
        // The connection's request budget: every attempt, the retry handler's included, waits for its window.
        if (gate is not null) handlers.Add(new RequestGateHandler(gate));
        handlers.Add(new RequestTraceHandler());
        // Last, next to the network: each attempt (not the retry handler's waits in between) gets -Timeout.
        handlers.Add(new AttemptTimeoutHandler(settings.RequestTimeout));
        Handlers = handlers.ToList();
        DesktopHandler = desktop ? DesktopHttp.CreateHandler(settings.Http) : null;
        var http = DesktopHandler is { } final ? GraphClientFactory.Create(handlers, finalHandler: final) : GraphClientFactory.Create(handlers);
        http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        var client = new GraphServiceClient(http, auth, settings.GraphEndpoint.AbsoluteUri + settings.ApiVersion);
        _transport = new KiotaGraphTransport(client.RequestAdapter, http);
    }

    public IGraphTransport Transport => _transport;
    /// <summary>The pipeline's handlers, outermost first (for tests).</summary>
    internal IReadOnlyList<DelegatingHandler> Handlers { get; }
    /// <summary>The innermost handler of a Desktop-profile connection; null when it is the SDK's own (for tests).</summary>
    internal HttpMessageHandler? DesktopHandler { get; }
    public DateTimeOffset? TokenExpiresOn => _tokens.ExpiresOn;

    public async Task<string> AcquireTokenAsync(CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(new TokenRequestContext(_settings.Scopes, isCaeEnabled: false), cancellationToken).ConfigureAwait(false);
        return token.Token;
    }

    public void Dispose() => _transport.Dispose();
}
