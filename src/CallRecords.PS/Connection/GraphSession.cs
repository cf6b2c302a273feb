using System;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;

namespace CallRecords.Connection;

/// <summary>
/// What a connection owns: the Graph client built by CallRecords.Sdk (its HttpClient and handler pipeline, reused by
/// every cmdlet call, and the token cache), seen only through <see cref="IGraphClient"/>. The public
/// <see cref="CallRecordConnection"/> only describes it.
/// </summary>
internal sealed class GraphSession : IDisposable
{
    private readonly IGraphClient _client;
    private int _disposed;

    public GraphSession(ConnectionSettings settings, IGraphClient client, RequestBudget budget)
    {
        Settings = settings;
        _client = client;
        Budget = budget;
    }

    /// <summary>The connection's one request budget: every request of every cmdlet on it waits here for Graph's windows.</summary>
    public RequestBudget Budget { get; }

    public ConnectionSettings Settings { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;
    /// <summary>Expiry of the connection's current token (null until the first one).</summary>
    public DateTimeOffset? LastTokenExpiresOn => _client.TokenExpiresOn;

    /// <summary>Gets the connection's token the way the Graph client will (same scopes, same cache), so a connection
    /// that cannot get one fails at Connect-CallRecordGraph; the caller reads the claims and drops the text.</summary>
    internal Task<string> AcquireTokenAsync(CancellationToken cancellationToken) => _client.AcquireTokenAsync(cancellationToken);

    /// <summary>Whether this connection's service refused the module's large default page size (then every later list
    /// on the connection asks for Graph's default).</summary>
    internal ListPageSizeState ListPaging { get; } = new();

    /// <summary>A streamer for one cmdlet invocation, reporting its requests to <paramref name="observer"/>.</summary>
    public PageStreamer CreateStreamer(IRequestObserver? observer, string? apiVersion = null)
    {
        if (IsDisposed) throw CallRecordsException.ConnectionClosed();
        return new PageStreamer(_client.Transport, Settings.GraphEndpoint, apiVersion ?? Settings.ApiVersion, Settings.PageRetry, observer, ListPaging);
    }

    /// <summary>A writer for one cmdlet invocation (same transport and pipeline as the reads).</summary>
    public CallRecordWriter CreateWriter(IRequestObserver? observer, string? apiVersion = null)
    {
        if (IsDisposed) throw CallRecordsException.ConnectionClosed();
        return new CallRecordWriter(_client.Transport, Settings.GraphEndpoint, apiVersion ?? Settings.ApiVersion, observer);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _client.Dispose();
    }
}
