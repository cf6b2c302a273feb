using System;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;

namespace CallRecords.Connection;

/// <summary>
/// The seam between the root assembly and CallRecords.Sdk (the Graph SDK, Kiota, Azure.Identity, MSAL), which the
/// module loads into a private load context (<see cref="CallRecords.Loading.ModuleLoader"/>). Only root-assembly and
/// BCL types cross it, so nothing of the private context's dependencies ever reaches a caller or the pipeline.
/// </summary>
internal interface IGraphBackend
{
    /// <summary>Builds one connection's Graph client: the credential described by <paramref name="credential"/>, a
    /// token cache in front of it, and the SDK handler pipeline the settings ask for. Token failures go through
    /// <paramref name="describeFailure"/> before they surface. Every HTTP attempt passes <paramref name="gate"/> (the
    /// connection's request budget) before it is sent.</summary>
    IGraphClient Open(ConnectionSettings settings, CredentialSpec credential, Func<Exception, Exception> describeFailure, IRequestGate gate);
}

/// <summary>One connection's Graph client, token cache and HTTP pipeline.</summary>
internal interface IGraphClient : IDisposable
{
    /// <summary>Sends requests through the SDK pipeline (auth, retry, redirect, compression, tracing, timeouts).</summary>
    IGraphTransport Transport { get; }

    /// <summary>Expiry of the connection's current token (null until the first one).</summary>
    DateTimeOffset? TokenExpiresOn { get; }

    /// <summary>Gets the token the Graph client will use (same scopes, same cache).</summary>
    Task<string> AcquireTokenAsync(CancellationToken cancellationToken);
}
