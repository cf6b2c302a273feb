using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>One GET to send: the complete URL, headers, and the client-request-id that identifies it.</summary>
internal sealed class GraphRequest
{
    public GraphRequest(Uri uri, IEnumerable<KeyValuePair<string, string>> headers, string clientRequestId, IRequestObserver? observer)
    {
        Uri = uri;
        Headers = headers;
        ClientRequestId = clientRequestId;
        Observer = observer;
    }

    public Uri Uri { get; }
    public IEnumerable<KeyValuePair<string, string>> Headers { get; }
    public string ClientRequestId { get; }
    public IRequestObserver? Observer { get; }
}

/// <summary>
/// The seam between the engine and the HTTP stack. Only BCL types cross it, so the Graph SDK (Kiota, Azure.Core)
/// can later live in a private load context. Error statuses surface as <see cref="GraphRequestException"/>;
/// connection-level failures as the HTTP stack's own exceptions (the page streamer decides what to retry).
/// </summary>
internal interface IGraphTransport : IDisposable
{
    /// <summary>Sends a GET through the Graph SDK pipeline and returns the response body, unread.</summary>
    Task<Stream> GetAsync(GraphRequest request, CancellationToken cancellationToken);
}
