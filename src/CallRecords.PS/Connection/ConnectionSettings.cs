using System;
using CallRecords.Graph;

namespace CallRecords.Connection;

/// <summary>Everything about a connection except the credential. Immutable; one per connection.</summary>
internal sealed class ConnectionSettings
{
    public static readonly Uri DefaultGraphEndpoint = new("https://graph.microsoft.com/");

    public ConnectionSettings(Uri? graphEndpoint = null, string? apiVersion = null, string[]? scopes = null, PageRetryPolicy? pageRetry = null, TimeSpan? requestTimeout = null,
        CloudEnvironment? environment = null, Uri? authorityHost = null)
    {
        Environment = environment ?? CloudEnvironment.Global;
        GraphEndpoint = Normalize(graphEndpoint ?? Environment.GraphEndpoint);
        AuthorityHost = NormalizeAuthority(authorityHost ?? Environment.AuthorityHost);
        ApiVersion = string.IsNullOrEmpty(apiVersion) ? "v1.0" : apiVersion!;
        Scopes = scopes ?? new[] { DefaultScope(GraphEndpoint) };
        PageRetry = pageRetry ?? PageRetryPolicy.Default;
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(100);
    }

    /// <summary>The cloud -Environment named; -GraphEndpoint and -AuthorityHost override its two addresses.</summary>
    public CloudEnvironment Environment { get; }
    /// <summary>Entra authority host for the Azure.Identity credentials (https://login.microsoftonline.com/ in Global).</summary>
    public Uri AuthorityHost { get; }
    /// <summary>MSAL's instance discovery asks login.microsoftonline.com about the authority; only Microsoft's own
    /// authorities can be discovered (an offline call for any other stalls and fails).</summary>
    public bool DisableInstanceDiscovery => !CloudEnvironment.IsMicrosoftAuthority(AuthorityHost);

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

    /// <summary>Entra answers only over https; a path (a tenant) is not part of the host and is dropped.</summary>
    public static Uri NormalizeAuthority(Uri authority)
    {
        if (authority is null || !authority.IsAbsoluteUri || authority.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException("The authority host must be an absolute https URL, such as https://login.microsoftonline.com.");
        return new Uri(authority.GetLeftPart(UriPartial.Authority) + "/");
    }

    // The emulator on loopback stands in for the global Graph, so its tokens carry Graph's audience.
    private static string DefaultScope(Uri endpoint) =>
        endpoint.IsLoopback ? "https://graph.microsoft.com/.default" : endpoint.GetLeftPart(UriPartial.Authority) + "/.default";
}
