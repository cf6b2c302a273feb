using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using CallRecords.Graph;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;

namespace CallRecords.Connection;

/// <summary>
/// What a connection owns: one GraphServiceClient (its HttpClient and handler pipeline, reused by every cmdlet call)
/// and the credential behind it. Graph SDK and Azure.Core types stay in here and in Graph/; the public
/// <see cref="CallRecordConnection"/> only describes it.
/// </summary>
internal sealed class GraphSession : IDisposable
{
    private readonly ObservedTokenCredential _credential;
    private readonly GraphServiceClient _client;
    private readonly IGraphTransport _transport;
    private int _disposed;

    public GraphSession(ConnectionSettings settings, TokenCredential credential)
    {
        Settings = settings;
        _credential = new ObservedTokenCredential(credential);
        // Kiota's Azure provider sends a token only to allowed hosts; the endpoint is the one host we talk to,
        // which also admits the emulator's loopback address (http is accepted for localhost/127.0.0.1 only).
        var auth = new AzureIdentityAuthenticationProvider(_credential, new[] { settings.GraphEndpoint.Host }, null, false, settings.Scopes);
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        handlers.Add(new RequestTraceHandler());
        var http = GraphClientFactory.Create(handlers);
        http.Timeout = settings.RequestTimeout;
        _client = new GraphServiceClient(http, auth, settings.GraphEndpoint.AbsoluteUri + settings.ApiVersion);
        _transport = new KiotaGraphTransport(_client.RequestAdapter, http);
    }

    public ConnectionSettings Settings { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;
    /// <summary>Expiry of the last token the credential handed out (null until the first request).</summary>
    public DateTimeOffset? LastTokenExpiresOn => _credential.LastExpiresOn;

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

    /// <summary>Remembers the expiry of the tokens it passes through, for Get-CallRecordConnection.</summary>
    private sealed class ObservedTokenCredential : TokenCredential
    {
        private readonly TokenCredential _inner;
        private long _expiresTicks = -1;

        public ObservedTokenCredential(TokenCredential inner) => _inner = inner;

        public DateTimeOffset? LastExpiresOn
        {
            get
            {
                var t = Interlocked.Read(ref _expiresTicks);
                return t < 0 ? null : new DateTimeOffset(t, TimeSpan.Zero);
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            Observe(_inner.GetToken(requestContext, cancellationToken));

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            Observe(await _inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false));

        private AccessToken Observe(AccessToken token)
        {
            Interlocked.Exchange(ref _expiresTicks, token.ExpiresOn.UtcTicks);
            return token;
        }
    }
}
