using System;
using CallRecords.Graph;

namespace CallRecords.Connection;

/// <summary>Everything about a connection except the credential. Immutable; one per connection.</summary>
internal sealed class ConnectionSettings
{
    public static readonly Uri DefaultGraphEndpoint = new("https://graph.microsoft.com/");

    /// <summary>Upper bound of -MaxRetry (the SDK's retry handler accepts at most 10).</summary>
    public const int MaxRetryLimit = 10;

    public ConnectionSettings(Uri? graphEndpoint = null, string? apiVersion = null, string[]? scopes = null, PageRetryPolicy? pageRetry = null, TimeSpan? requestTimeout = null,
        CloudEnvironment? environment = null, Uri? authorityHost = null, int? maxRetry = null, TimeSpan? retryDelay = null, HttpProfile? http = null)
    {
        if (maxRetry is < 0 or > MaxRetryLimit) throw new ArgumentException($"-MaxRetry must be between 0 and {MaxRetryLimit}.");
        if (requestTimeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromHours(1)))
            throw new ArgumentException("-Timeout must be more than 0 seconds and at most 1 hour.");
        if (retryDelay is { } d && (d < TimeSpan.Zero || d > TimeSpan.FromMinutes(3)))
            throw new ArgumentException("-RetryDelay must be between 0 and 3 minutes.");
        Environment = environment ?? CloudEnvironment.Global;
        GraphEndpoint = Normalize(graphEndpoint ?? Environment.GraphEndpoint);
        AuthorityHost = NormalizeAuthority(authorityHost ?? Environment.AuthorityHost);
        ApiVersion = string.IsNullOrEmpty(apiVersion) ? "v1.0" : apiVersion!;
        Scopes = scopes ?? new[] { DefaultScope(GraphEndpoint) };
        RequestTimeout = requestTimeout ?? PageRetryPolicy.DefaultTimeout;
        MaxRetry = maxRetry ?? pageRetry?.MaxAttempts - 1 ?? PageRetryPolicy.DefaultMaxRetry;
        RetryDelay = retryDelay ?? pageRetry?.BaseDelay ?? PageRetryPolicy.DefaultBaseDelay;
        Http = http ?? HttpProfile.ForThisProcess();
        PageRetry = pageRetry ?? new PageRetryPolicy(MaxRetry + 1, RetryDelay, TimeSpan.FromSeconds(Math.Max(10, RetryDelay.TotalSeconds * 16)), RequestTimeout);
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
    /// <summary>Per HTTP attempt: the wait for the response headers, and separately for a page's body.</summary>
    public TimeSpan RequestTimeout { get; }
    /// <summary>Retries after the first attempt, both in the SDK's handler (429/503/504) and per page (resets,
    /// timeouts, broken bodies, and a 429/503/504 the handler gave up on).</summary>
    public int MaxRetry { get; }
    /// <summary>Base of the exponential backoff when Graph sends no Retry-After.</summary>
    public TimeSpan RetryDelay { get; }
    /// <summary>How the HTTP handlers are set up (Windows PowerShell 5.1's Desktop profile or .NET's default).</summary>
    public HttpProfile Http { get; }

    /// <summary>Validates a user-given endpoint: absolute http(s); plain http only for loopback (the emulator),
    /// because tokens are never sent over http to anything else.</summary>
    public static Uri Normalize(Uri endpoint)
    {
        if (endpoint is null || !endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException("The Graph endpoint must be an absolute https URL, such as https://graph.microsoft.com.");
        RefuseUserInfo(endpoint, "-GraphEndpoint");
        if (endpoint.Scheme == Uri.UriSchemeHttp && !endpoint.IsLoopback)
            throw new ArgumentException($"The Graph endpoint {endpoint.GetLeftPart(UriPartial.Authority)} uses http; tokens are sent only over https (plain http is allowed for localhost only).");
        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>Entra answers only over https; a path (a tenant) is not part of the host and is dropped.</summary>
    public static Uri NormalizeAuthority(Uri authority)
    {
        if (authority is null || !authority.IsAbsoluteUri || authority.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException("The authority host must be an absolute https URL, such as https://login.microsoftonline.com.");
        RefuseUserInfo(authority, "-AuthorityHost");
        return new Uri(authority.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>A user name or password in the URL (https://user:pw@host) would be echoed in every URL the module
    /// shows (errors, -Verbose, Get-CallRecordConnection); Graph and Entra take no such credential, so it is refused —
    /// without repeating it.</summary>
    private static void RefuseUserInfo(Uri uri, string parameter)
    {
        if (string.IsNullOrEmpty(uri.UserInfo)) return;
        var shown = uri.Scheme + "://***@" + uri.Authority + uri.PathAndQuery;
        throw new CallRecordsException("EndpointHasUserInfo", System.Management.Automation.ErrorCategory.InvalidArgument,
            $"{parameter} {shown} holds a user name or password before the host; Microsoft Graph and Entra take credentials only as tokens, so the URL is refused (and its user part is not shown).",
            $"Give {parameter} as scheme://host[:port] only, such as https://graph.microsoft.com, and pass credentials with -ClientSecret, -Certificate* or -AccessToken.",
            shown);
    }

    // The emulator on loopback stands in for the global Graph, so its tokens carry Graph's audience.
    private static string DefaultScope(Uri endpoint) =>
        endpoint.IsLoopback ? "https://graph.microsoft.com/.default" : endpoint.GetLeftPart(UriPartial.Authority) + "/.default";
}
