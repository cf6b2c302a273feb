using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>One request to send: the method (GET unless a write says otherwise), the complete URL, headers, an
/// optional JSON body, and the client-request-id that identifies it.</summary>
internal sealed class GraphRequest
{
    public GraphRequest(Uri uri, IEnumerable<KeyValuePair<string, string>> headers, string clientRequestId, IRequestObserver? observer,
        string method = "GET", byte[]? jsonBody = null)
    {
        Uri = uri;
        Headers = headers;
        ClientRequestId = clientRequestId;
        Observer = observer;
        Method = method;
        JsonBody = jsonBody;
    }

    /// <summary>GET, POST, PATCH or DELETE.</summary>
    public string Method { get; }
    /// <summary>UTF-8 JSON sent as application/json; null sends no body.</summary>
    public byte[]? JsonBody { get; }
    public Uri Uri { get; }
    public IEnumerable<KeyValuePair<string, string>> Headers { get; }
    public string ClientRequestId { get; }
    public IRequestObserver? Observer { get; }
}

/// <summary>
/// The seam between the engine and the HTTP stack. Only BCL types cross it: the Graph SDK (Kiota, Azure.Core) lives
/// in CallRecords.Sdk, in the module's private load context (Loading/). Error statuses surface as <see cref="GraphRequestException"/>;
/// connection-level failures as the HTTP stack's own exceptions (the page streamer decides what to retry).
/// </summary>
internal interface IGraphTransport : IDisposable
{
    /// <summary>Sends the request (GET unless <see cref="GraphRequest.Method"/> says otherwise, with its JSON body)
    /// through the Graph SDK pipeline; the response body, unread (empty for 204 No Content).</summary>
    Task<Stream> SendAsync(GraphRequest request, CancellationToken cancellationToken);
}
