using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using CallRecords.Graph;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace CallRecords.Connection;

/// <summary>
/// What a connection owns: one GraphServiceClient (its HttpClient and handler pipeline, reused by every cmdlet call)
/// and the credential behind it. Graph SDK and Azure.Core types stay in here and in Graph/; the public
/// <see cref="CallRecordConnection"/> only describes it.
/// </summary>
internal sealed class GraphSession : IDisposable
{
    private readonly ConnectionTokenCache _tokens;
    private readonly GraphServiceClient _client;
    private readonly IGraphTransport _transport;
    private int _disposed;

    public GraphSession(ConnectionSettings settings, TokenCredential credential, Func<Exception, Exception>? describeFailure = null)
    {
        Settings = settings;
        _tokens = new ConnectionTokenCache(credential, describeFailure ?? (e => e));
        // Kiota's Azure provider sends a token only to allowed hosts; the endpoint is the one host we talk to,
        // which also admits the emulator's loopback address (http is accepted for localhost/127.0.0.1 only).
        var auth = new AzureIdentityAuthenticationProvider(_tokens, new[] { settings.GraphEndpoint.Host }, null, false, settings.Scopes);
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        // The SDK's retry handler with the connection's -MaxRetry; its delay (whole seconds) applies only when a
        // 429/503/504 has no Retry-After.
        var retry = -1;
        for (var i = 0; i < handlers.Count; i++) if (handlers[i] is RetryHandler) retry = i;
        var sdkRetry = new RetryHandler(new RetryHandlerOption { MaxRetry = settings.MaxRetry, Delay = (int)Math.Ceiling(settings.RetryDelay.TotalSeconds) });
        if (retry >= 0) handlers[retry] = sdkRetry; else handlers.Add(sdkRetry);
        handlers.Add(new RequestTraceHandler());
        // Last, next to the network: each attempt (not the retry handler's waits in between) gets -Timeout.
        handlers.Add(new AttemptTimeoutHandler(settings.RequestTimeout));
        var http = GraphClientFactory.Create(handlers);
        http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        _client = new GraphServiceClient(http, auth, settings.GraphEndpoint.AbsoluteUri + settings.ApiVersion);
        _transport = new KiotaGraphTransport(_client.RequestAdapter, http);
    }

    public ConnectionSettings Settings { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;
    /// <summary>Expiry of the connection's current token (null until the first one).</summary>
    public DateTimeOffset? LastTokenExpiresOn => _tokens.ExpiresOn;
    /// <summary>Tokens this connection obtained from its credential (each cmdlet call reuses the cached one).</summary>
    public int TokensAcquired => _tokens.Acquired;

    /// <summary>Gets the connection's token the way the Graph client will (same scopes, same cache), so a connection
    /// that cannot get one fails at Connect-CallRecordGraph; the caller reads the claims and drops the text.</summary>
    internal async Task<string> AcquireTokenAsync(CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(new TokenRequestContext(Settings.Scopes, isCaeEnabled: false), cancellationToken).ConfigureAwait(false);
        return token.Token;
    }

    /// <summary>A streamer for one cmdlet invocation, reporting its requests to <paramref name="observer"/>.</summary>
    public PageStreamer CreateStreamer(IRequestObserver? observer, string? apiVersion = null)
    {
        if (IsDisposed) throw CallRecordsException.ConnectionClosed();
        return new PageStreamer(_transport, Settings.GraphEndpoint, apiVersion ?? Settings.ApiVersion, Settings.PageRetry, observer);
    }

    /// <summary>A writer for one cmdlet invocation (same transport and pipeline as the reads).</summary>
    public CallRecordWriter CreateWriter(IRequestObserver? observer, string? apiVersion = null)
    {
        if (IsDisposed) throw CallRecordsException.ConnectionClosed();
        return new CallRecordWriter(_transport, Settings.GraphEndpoint, apiVersion ?? Settings.ApiVersion, observer);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _transport.Dispose();
    }
}
