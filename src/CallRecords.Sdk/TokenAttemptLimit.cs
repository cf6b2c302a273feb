using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CallRecords.Sdk;

/// <summary>
/// Keeps one token acquisition to -MaxRetry + 1 requests to the token service, whoever retries: it sits in every
/// credential's Azure.Core pipeline (per attempt) and counts the token requests of the acquisition
/// <see cref="CallRecords.Connection.ConnectionTokenCache"/> has opened a <see cref="Scope"/> for; the request past the limit is not sent.
/// Metadata requests (OpenID configuration, instance discovery) are not counted. MSAL's managed identity client
/// sends through its own HTTP stack, outside this pipeline, and retries on its own schedule (six requests over about
/// 25 s to a silent endpoint): there the time budget of <see cref="CallRecords.Connection.ConnectionTokenCache.Budget"/> is the bound.
/// </summary>
internal sealed class TokenAttemptLimit : HttpPipelinePolicy
{
    private static readonly AsyncLocal<Counter?> Current = new();
    private readonly int _attempts;

    public TokenAttemptLimit(int attempts) => _attempts = Math.Max(1, attempts);

    /// <summary>Counts the token requests of one acquisition (the async flow that runs inside it).</summary>
    public static IDisposable Scope()
    {
        var previous = Current.Value;
        Current.Value = new Counter();
        return new Restore(previous);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Admit(message);
        try { ProcessNext(message, pipeline); }
        catch (Exception e) { Remember(e); throw; }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Admit(message);
        try { await ProcessNextAsync(message, pipeline).ConfigureAwait(false); }
        catch (Exception e) { Remember(e); throw; }
    }

    private void Admit(HttpMessage message)
    {
        if (Current.Value is not { } counter || IsMetadata(message.Request.Uri.Path)) return;
        if (Interlocked.Increment(ref counter.Sent) > _attempts)
            throw new TokenAttemptsExhaustedException(_attempts, Volatile.Read(ref counter.LastFailure));
    }

    private static void Remember(Exception e)
    {
        if (Current.Value is { } counter && e is not TokenAttemptsExhaustedException) Volatile.Write(ref counter.LastFailure, e);
    }

    private static bool IsMetadata(string path) =>
        path.IndexOf("/.well-known/", StringComparison.OrdinalIgnoreCase) >= 0 || path.IndexOf("/discovery/", StringComparison.OrdinalIgnoreCase) >= 0;

    private sealed class Counter
    {
        public int Sent;
        public Exception? LastFailure;
    }

    private sealed class Restore : IDisposable
    {
        private readonly Counter? _previous;
        public Restore(Counter? previous) => _previous = previous;
        public void Dispose() => Current.Value = _previous;
    }
}

/// <summary>The token service got every attempt the settings allow and answered none; the last attempt's failure
/// (a refusal, a timeout) is the inner exception.</summary>
internal sealed class TokenAttemptsExhaustedException : TimeoutException
{
    public TokenAttemptsExhaustedException(int attempts, Exception? last)
        : base($"No token after {attempts} attempt{(attempts == 1 ? "" : "s")}.", last)
    {
    }
}
