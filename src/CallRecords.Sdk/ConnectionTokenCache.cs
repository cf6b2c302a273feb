using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using CallRecords.Sdk;

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
    private readonly TimeSpan _budget;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Entry? _entry;

    /// <param name="inner">The connection's credential (secret, certificate, managed identity, or a given token).</param>
    /// <param name="describe">Turns a credential failure into the error the user sees.</param>
    /// <param name="budget">The most one token request may take, retries included (see <see cref="Budget"/>);
    /// infinite for none.</param>
    public ConnectionTokenCache(TokenCredential inner, Func<Exception, Exception> describe, TimeSpan? budget = null)
    {
        _inner = inner;
        _describe = describe;
        _budget = budget ?? System.Threading.Timeout.InfiniteTimeSpan;
    }

    /// <summary>
    /// How long a token request may take in all: -MaxRetry + 1 attempts of -Timeout each, the exponential backoff
    /// between them (base -RetryDelay, doubled per retry, at most <paramref name="maxDelay"/>, plus 20 % jitter), and a
    /// second of slack. Azure.Core honours the retry options itself; MSAL's managed identity client retries on its own
    /// schedule (6 attempts over about 25 s against a closed endpoint), which only this bound keeps to the settings.
    /// </summary>
    public static TimeSpan Budget(int maxRetry, TimeSpan attemptTimeout, TimeSpan retryDelay, TimeSpan maxDelay)
    {
        var total = TimeSpan.FromTicks(attemptTimeout.Ticks * (maxRetry + 1)) + TimeSpan.FromSeconds(1);
        for (var n = 0; n < maxRetry; n++)
            total += TimeSpan.FromTicks((long)(Math.Min(maxDelay.Ticks, retryDelay.Ticks * Math.Pow(2, n)) * 1.2));
        return total;
    }

    /// <summary>Expiry of the token in the cache (null before the first one).</summary>
    public DateTimeOffset? ExpiresOn => Volatile.Read(ref _entry)?.Token.ExpiresOn;

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
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_budget);
            try
            {
                using (TokenAttemptLimit.Scope())
                    token = await _inner.GetTokenAsync(requestContext, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Past the budget the credential was cancelled by us, not by the caller: the authority did not answer.
                if (e is OperationCanceledException && deadline.IsCancellationRequested)
                    e = new TimeoutException($"No token within {_budget.TotalSeconds:0.#} s (the attempts -MaxRetry and -Timeout allow).", e);
                throw _describe(e);
            }
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
