using System.Globalization;
using System.Text.Json.Nodes;

namespace GraphEmulator.Identity;

/// <summary>An error as Entra's token endpoint answers it: HTTP status, OAuth error, "AADSTSnnn: text" description
/// followed by trace/correlation/timestamp lines, and the numeric code in error_codes.</summary>
public sealed record EntraError(int StatusCode, string Error, int Code, string Message)
{
    public string Outcome => "AADSTS" + Code.ToString(CultureInfo.InvariantCulture);

    public JsonObject ToJson(string authorityHost, string? correlationId)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var traceId = Guid.NewGuid().ToString();
        var correlation = Guid.TryParse(correlationId, out var c) ? c.ToString() : Guid.NewGuid().ToString();
        return new JsonObject
        {
            ["error"] = Error,
            ["error_description"] =
                $"{Outcome}: {Message}\r\nTrace ID: {traceId}\r\nCorrelation ID: {correlation}\r\nTimestamp: {now}",
            ["error_codes"] = new JsonArray(Code),
            ["timestamp"] = now,
            ["trace_id"] = traceId,
            ["correlation_id"] = correlation,
            ["error_uri"] = $"{authorityHost}error?code={Code.ToString(CultureInfo.InvariantCulture)}",
        };
    }

    // The texts below follow what Entra returns for these codes (as seen in public error reports).

    public static EntraError TenantNotFound(string tenant) => new(400, "invalid_request", 90002,
        $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct " +
        "cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");

    /// <summary>The OpenID metadata endpoint names the same condition invalid_tenant.</summary>
    public static EntraError TenantNotFoundOnDiscovery(string tenant) => TenantNotFound(tenant) with { Error = "invalid_tenant" };

    public static EntraError AppNotFound(string clientId, string tenant) => new(400, "unauthorized_client", 700016,
        $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the " +
        "application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
        "You may have sent your authentication request to the wrong tenant.");

    public static EntraError InvalidSecret(string clientId) => new(401, "invalid_client", 7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the " +
        $"client secret ID, for a secret added to app '{clientId}'.");

    public static EntraError MissingCredential() => new(401, "invalid_client", 7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");

    public static EntraError MissingParameter(string name) => new(400, "invalid_request", 900144,
        $"The request body must contain the following parameter: '{name}'.");

    public static EntraError UnsupportedGrant(string grantType) => new(400, "unsupported_grant_type", 70003,
        $"The app requested an unsupported grant type '{grantType}'.");

    public static EntraError InvalidScope(string scope) => new(400, "invalid_scope", 1002012,
        $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with " +
        "/.default suffixed to the resource identifier (application ID URI).");

    public static EntraError BadAssertionType() => new(400, "invalid_request", 70002,
        "client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");

    public static EntraError MalformedAssertion() => new(401, "invalid_client", 50027,
        "JWT token is invalid or malformed.");

    public static EntraError CertificateNotRegistered(string clientId, string? thumbprint) => new(401, "invalid_client", 700027,
        "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The " +
        $"key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph " +
        $"Explorer or directly use MS Graph to see configured keys for app Id '{clientId}'.]");

    public static EntraError InvalidSignature(string clientId) => new(401, "invalid_client", 700027,
        $"Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected " +
        $"signature value., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{clientId}'.]");

    public static EntraError AssertionAudience(string? audience) => new(401, "invalid_client", 700021,
        $"Client assertion application identifier doesn't match 'client_id' parameter, or the assertion audience '{audience}' " +
        "is not the token endpoint of this tenant.");

    public static EntraError AssertionTimeRange(long? nbf, long? exp) => new(401, "invalid_client", 700024,
        $"Client assertion is not within its valid time range. Current time: {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffffZ}, " +
        $"assertion valid from {Unix(nbf)}, expiry time of assertion {Unix(exp)}.");

    public static EntraError NoFederatedMatch(string? issuer, string? subject, string? audience) => new(400, "invalid_request", 70021,
        $"No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion " +
        $"Subject: '{subject}'. Assertion Audience: '{audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation");

    public static EntraError FederatedSignature(string? issuer) => new(400, "invalid_request", 700211,
        $"Assertion signature could not be validated with the signing keys published by issuer '{issuer}'.");

    private static string Unix(long? seconds) =>
        seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture) : "(none)";
}
