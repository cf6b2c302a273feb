using System;
using CallRecords.Graph;

namespace CallRecords.Connection;

/// <summary>Everything about a connection except the credential. Immutable; one per connection.</summary>
internal sealed class ConnectionSettings
{
    public static readonly Uri DefaultGraphEndpoint = new("https://graph.microsoft.com/");

    public ConnectionSettings(Uri? graphEndpoint = null, string? apiVersion = null, string[]? scopes = null, PageRetryPolicy? pageRetry = null, TimeSpan? requestTimeout = null)
    {
        GraphEndpoint = Normalize(graphEndpoint ?? DefaultGraphEndpoint);
        ApiVersion = string.IsNullOrEmpty(apiVersion) ? "v1.0" : apiVersion!;
        Scopes = scopes ?? new[] { DefaultScope(GraphEndpoint) };
        PageRetry = pageRetry ?? PageRetryPolicy.Default;
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(100);
    }

    /// <summary>scheme://host[:port]/ — paths and queries are dropped; the api version is separate.</summary>
    public Uri GraphEndpoint { get; }
    public string ApiVersion { get; }
    /// <summary>Token scopes; Graph clouds use "{endpoint}/.default".</summary>
    public string[] Scopes { get; }
    public PageRetryPolicy PageRetry { get; }
    /// <summary>Per HTTP attempt (HttpClient.Timeout).</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Validates a user-given endpoint: absolute http(s); plain http only for loopback (the emulator),
    /// because tokens are never sent over http to anything else.</summary>
    public static Uri Normalize(Uri endpoint)
    {
        if (endpoint is null || !endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException("The Graph endpoint must be an absolute https URL, such as https://graph.microsoft.com.");
        if (endpoint.Scheme == Uri.UriSchemeHttp && !endpoint.IsLoopback)
            throw new ArgumentException($"The Graph endpoint {endpoint.GetLeftPart(UriPartial.Authority)} uses http; tokens are sent only over https (plain http is allowed for localhost only).");
        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static string DefaultScope(Uri endpoint) =>
        endpoint.IsLoopback ? "https://graph.microsoft.com/.default" : endpoint.GetLeftPart(UriPartial.Authority) + "/.default";
}
