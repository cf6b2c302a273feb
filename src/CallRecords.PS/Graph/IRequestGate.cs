using System;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// What every HTTP attempt of a connection passes before it is sent (the SDK pipeline calls it after its retry
/// handler, so retries are admitted too): the connection's request budget (<see cref="CallRecords.Connection.RequestBudget"/>).
/// </summary>
internal interface IRequestGate
{
    /// <summary>Waits until the request may be sent without exceeding a Graph ceiling, and counts it; dispose the
    /// lease when its response (or failure) has arrived.</summary>
    Task<IDisposable> AdmitAsync(Uri uri, CancellationToken cancellationToken);

    /// <summary>Graph answered the request 429 (Retry-After when it said one).</summary>
    void Throttled(Uri uri, TimeSpan? retryAfter);
}
