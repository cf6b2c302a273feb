using System;
using System.IO;
using System.Net.Http;
using System.Text.Json;

namespace CallRecords.Graph;

/// <summary>
/// Page-level retry for what the SDK's retry handler never sees: connection resets, timeouts, and truncated or
/// malformed bodies (plus 500/502, which it does not retry). GETs are idempotent, so a page is simply asked again.
/// After the last attempt the failure is raised: a page is never silently skipped.
/// </summary>
internal sealed class PageRetryPolicy
{
    public static readonly PageRetryPolicy Default = new(3, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

    public PageRetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (maxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(maxAttempts));
        MaxAttempts = maxAttempts;
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
    }

    /// <summary>Total attempts per page, the first one included.</summary>
    public int MaxAttempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }

    public bool IsTransient(Exception ex) => ex switch
    {
        GraphRequestException g => g.StatusCode is 0 or 500 or 502,
        HttpRequestException or IOException or JsonException => true,
        // HttpClient's own timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>Exponential backoff with full jitter, capped.</summary>
    public TimeSpan Delay(int failedAttempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, failedAttempt - 1));
        double jitter;
        lock (Random) jitter = Random.NextDouble();
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + jitter / 2));
    }

    private static readonly Random Random = new();
}
