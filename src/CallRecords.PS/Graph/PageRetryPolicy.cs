using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;

namespace CallRecords.Graph;

/// <summary>
/// Page-level retry for what the SDK's retry handler never sees: connection resets, timeouts, and truncated or
/// malformed bodies (plus 500/502, which it does not retry), and a 429/503/504 the SDK handler gave up on (its
/// Retry-After is honoured again here). GETs are idempotent, so a page is simply asked again. After the last attempt
/// the failure is raised: a page is never silently skipped.
/// </summary>
internal sealed class PageRetryPolicy
{
    public const int DefaultMaxRetry = 3;
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);
    /// <summary>A Retry-After longer than this is not waited out (a misbehaving proxy must not park a job for hours).</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    public static readonly PageRetryPolicy Default = new(DefaultMaxRetry + 1, DefaultBaseDelay, TimeSpan.FromSeconds(10));

    public PageRetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan? attemptTimeout = null)
    {
        if (maxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(maxAttempts));
        if (baseDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(baseDelay));
        MaxAttempts = maxAttempts;
        BaseDelay = baseDelay;
        MaxDelay = maxDelay < baseDelay ? baseDelay : maxDelay;
        AttemptTimeout = attemptTimeout ?? DefaultTimeout;
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(attemptTimeout));
    }

    /// <summary>Total attempts per page, the first one included.</summary>
    public int MaxAttempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }
    /// <summary>The longest one attempt may take to deliver its body (headers are timed by the HTTP pipeline).</summary>
    public TimeSpan AttemptTimeout { get; }

    public bool IsTransient(Exception ex) => ex switch
    {
        GraphRequestException g => g.StatusCode is 0 or 429 or 500 or 502 or 503 or 504,
        // A refused connection or an unknown host means a wrong endpoint or proxy, not a passing fault: fail fast.
        HttpRequestException h when IsUnreachable(h) => false,
        HttpRequestException or IOException or JsonException or TimeoutException => true,
        // HttpClient's own timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => true,
        _ => false,
    };

    public static bool IsUnreachable(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain })
                return true;
        return false;
    }

    /// <summary>Graph's Retry-After when the failure carried one, otherwise exponential backoff with jitter, capped.</summary>
    public TimeSpan Delay(int failedAttempt, Exception? failure = null)
    {
        if (failure is GraphRequestException { RetryAfter: { } after })
            return after < TimeSpan.Zero ? TimeSpan.Zero : after > MaxRetryAfter ? MaxRetryAfter : after;
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, failedAttempt - 1));
        double jitter;
        lock (Random) jitter = Random.NextDouble();
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + jitter / 2));
    }

    private static readonly Random Random = new();
}
