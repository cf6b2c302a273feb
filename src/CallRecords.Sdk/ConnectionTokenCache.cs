using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;

namespace CallRecords.Connection;

/// <summary>
/// The connection's token cache, between the Graph SDK's auth provider (which asks for a token on every request) and
/// the credential. One token per connection is shared by every cmdlet call and every runspace using it; it is
/// refreshed ahead of expiry (at half its remaining life, at most 5 minutes before), and only one refresh runs at a
/// time, so parallel callers never stampede the token service. MSAL has its own cache behind this, but it treats
/// any token within 5 minutes of expiry as expired, and managed identity tokens it caches process-wide.
/// </summary>
internal sealed class ConnectionTokenCache : TokenCredential
{
    private static readonly TimeSpan MaxRefreshMargin = TimeSpan.FromMinutes(5);

    private readonly TokenCredential _inner;
    private readonly Func<Exception, Exception> _describe;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Entry? _entry;
    private int _acquired;

    public ConnectionTokenCache(TokenCredential inner, Func<Exception, Exception> describe)
    {
        _inner = inner;
        _describe = describe;
    }

    /// <summary>Expiry of the token in the cache (null before the first one).</summary>
    public DateTimeOffset? ExpiresOn => Volatile.Read(ref _entry)?.Token.ExpiresOn;

    /// <summary>How many tokens this connection obtained from its credential.</summary>
    public int Acquired => Volatile.Read(ref _acquired);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        Task.Run(() => GetTokenAsync(requestContext, cancellationToken).AsTask(), cancellationToken).GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var key = Key(requestContext);
        if (Fresh(Volatile.Read(ref _entry), key) is { } cached) return cached;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (Fresh(Volatile.Read(ref _entry), key) is { } refreshed) return refreshed;
            AccessToken token;
            try
            {
                token = await _inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw _describe(e);
            }
            Interlocked.Increment(ref _acquired);
            Volatile.Write(ref _entry, new Entry(key, token, RefreshAt(DateTimeOffset.UtcNow, token)));
            return token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static AccessToken? Fresh(Entry? entry, string key) =>
        entry is not null && entry.Key == key && DateTimeOffset.UtcNow < entry.RefreshAt ? entry.Token : null;

    internal static DateTimeOffset RefreshAt(DateTimeOffset now, AccessToken token)
    {
        var remaining = token.ExpiresOn - now;
        if (remaining <= TimeSpan.Zero) return now;
        var margin = TimeSpan.FromTicks(Math.Min(MaxRefreshMargin.Ticks, remaining.Ticks / 2));
        var at = token.ExpiresOn - margin;
        // The token service may say when to refresh (refresh_in); earlier wins.
        return token.RefreshOn is { } hint && hint > now && hint < at ? hint : at;
    }

    private static string Key(TokenRequestContext context) =>
        string.Join(" ", context.Scopes) + "|" + context.TenantId + "|" + context.Claims + "|" + context.IsCaeEnabled;

    private sealed class Entry
    {
        public Entry(string key, AccessToken token, DateTimeOffset refreshAt)
        {
            Key = key;
            Token = token;
            RefreshAt = refreshAt;
        }

        public string Key { get; }
        public AccessToken Token { get; }
        public DateTimeOffset RefreshAt { get; }
    }
}
