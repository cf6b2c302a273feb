using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphEmulator.Identity;

public sealed partial class IdentityServer
{
    private static readonly HashSet<string> s_wellKnownTenants = new(StringComparer.OrdinalIgnoreCase) { "common", "organizations", "consumers" };
    private static readonly HashSet<string> s_oidcScopes = new(StringComparer.OrdinalIgnoreCase) { "openid", "profile", "offline_access", "email" };

    private void MapRoutes()
    {
        _app.Use(async (ctx, next) =>
        {
            lock (_logLock) _requests.Add($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}");
            var path = ctx.Request.Path;
            // Entra answers only over TLS; the plain listener exists for the managed identity endpoint (and control).
            if (!ctx.Request.IsHttps && !path.StartsWithSegments("/msi") && !path.StartsWithSegments("/_emulator"))
            {
                ctx.Response.StatusCode = 404;
                return;
            }
            await next(ctx);
        });

        _app.MapGet("/{tenant}/discovery/instance", InstanceDiscovery);
        _app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant, HttpContext ctx) => OpenIdConfiguration(tenant, ctx, v2: true));
        _app.MapGet("/{tenant}/.well-known/openid-configuration", (string tenant, HttpContext ctx) => OpenIdConfiguration(tenant, ctx, v2: false));
        _app.MapGet("/{tenant}/discovery/v2.0/keys", Keys);
        _app.MapGet("/{tenant}/discovery/keys", Keys);
        _app.MapPost("/{tenant}/oauth2/v2.0/token", TokenAsync);
        _app.MapGet("/msi/token", (Func<HttpContext, Task<IResult>>)ManagedIdentityToken);

        _app.MapPost("/_emulator/apps", (Func<HttpContext, Task<IResult>>)RegisterAppFromJsonAsync);
        _app.MapPost("/_emulator/managed-identities", (Func<HttpContext, Task<IResult>>)RegisterManagedIdentityFromJsonAsync);
        _app.MapPost("/_emulator/federated-tokens", (Func<HttpContext, Task<IResult>>)MintFederatedTokenFromJsonAsync);
        _app.MapPut("/_emulator/token-lifetime", (Func<HttpContext, Task<IResult>>)SetTokenLifetimeFromJsonAsync);
        _app.MapGet("/_emulator/token-requests", () => Results.Json(TokenRequests));
        _app.MapDelete("/_emulator/apps/{clientId}", (string clientId) => RemoveApp(clientId) ? Results.NoContent() : Results.NotFound());
        _app.MapPut("/_emulator/stall", (Func<HttpContext, Task<IResult>>)SetStallFromJsonAsync);
    }

    // --- discovery -------------------------------------------------------------------------------------------------

    private IResult InstanceDiscovery(string tenant, HttpContext ctx)
    {
        // The tenant MSAL asks about is in the authorization_endpoint it passes: https://host/{tenant}/oauth2/v2.0/authorize
        var tenantInQuestion = "common";
        if (Uri.TryCreate(ctx.Request.Query["authorization_endpoint"].FirstOrDefault(), UriKind.Absolute, out var authorize) &&
            authorize.Segments.Length > 1)
        {
            tenantInQuestion = authorize.Segments[1].TrimEnd('/');
        }
        var host = ctx.Request.Host.Host;
        var aliases = new JsonArray(host, host == "localhost" ? "127.0.0.1" : "localhost");
        return Json(new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"{Base(ctx)}{tenantInQuestion}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = host,
                ["preferred_cache"] = host,
                ["aliases"] = aliases,
            }),
        });
    }

    private IResult OpenIdConfiguration(string tenant, HttpContext ctx, bool v2)
    {
        if (!s_wellKnownTenants.Contains(tenant) && !TenantExists(tenant))
            return Error(EntraError.TenantNotFoundOnDiscovery(tenant), ctx);
        var b = Base(ctx);
        var issuerTenant = s_wellKnownTenants.Contains(tenant) ? "{tenantid}" : tenant;
        var suffix = v2 ? "/v2.0" : "";
        return Json(new JsonObject
        {
            ["token_endpoint"] = $"{b}{tenant}/oauth2{suffix}/token",
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["jwks_uri"] = $"{b}{tenant}/discovery{suffix}/keys",
            ["response_modes_supported"] = new JsonArray("query", "fragment", "form_post"),
            ["subject_types_supported"] = new JsonArray("pairwise"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
            ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
            ["issuer"] = v2 ? $"{b}{issuerTenant}/v2.0" : $"https://sts.windows.net/{issuerTenant}/",
            ["request_uri_parameter_supported"] = false,
            ["authorization_endpoint"] = $"{b}{tenant}/oauth2{suffix}/authorize",
            ["device_authorization_endpoint"] = $"{b}{tenant}/oauth2{suffix}/devicecode",
            ["end_session_endpoint"] = $"{b}{tenant}/oauth2{suffix}/logout",
            ["http_logout_supported"] = true,
            ["frontchannel_logout_supported"] = true,
            ["claims_supported"] = new JsonArray("sub", "iss", "aud", "exp", "iat", "tid", "appid", "roles"),
            ["tenant_region_scope"] = "WW",
            ["cloud_instance_name"] = ctx.Request.Host.Host,
            ["cloud_graph_host_name"] = "graph.windows.net",
            ["msgraph_host"] = "graph.microsoft.com",
        });
    }

    private IResult Keys(string tenant, HttpContext ctx)
    {
        var keys = new JsonArray();
        if (_issuer is JwtTokenIssuer jwt) keys.Add(jwt.ExportJwk());
        return Json(new JsonObject { ["keys"] = keys });
    }

    // --- token endpoint ----------------------------------------------------------------------------------------------

    private async Task<IResult> TokenAsync(string tenant, HttpContext ctx)
    {
        Interlocked.Increment(ref _tokenRequestCount);
        IFormCollection form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync(ctx.RequestAborted) : FormCollection.Empty;
        var grantType = form["grant_type"].FirstOrDefault() ?? "";
        var clientId = form["client_id"].FirstOrDefault();
        await StallIfAskedAsync(ctx, "token", clientId);
        var secret = form["client_secret"].FirstOrDefault();
        var assertion = form["client_assertion"].FirstOrDefault();
        var kind = secret is not null ? "client_secret" : assertion is not null ? "client_assertion" : "none";
        string? resource = null;

        IResult Fail(EntraError e)
        {
            Record(new(DateTimeOffset.UtcNow, "token", grantType, tenant, clientId, resource, kind, e.StatusCode, e.Outcome));
            return Error(e, ctx);
        }

        if (!TenantExists(tenant)) return Fail(EntraError.TenantNotFound(tenant));
        if (string.IsNullOrEmpty(grantType)) return Fail(EntraError.MissingParameter("grant_type"));
        if (grantType != "client_credentials") return Fail(EntraError.UnsupportedGrant(grantType));
        if (string.IsNullOrEmpty(clientId)) return Fail(EntraError.MissingParameter("client_id"));
        if (!_apps.TryGetValue(AppKey(tenant, clientId), out var app)) return Fail(EntraError.AppNotFound(clientId, tenant));

        var scope = form["scope"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(scope)) return Fail(EntraError.MissingParameter("scope"));
        var resourceScopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => !s_oidcScopes.Contains(s)).ToList();
        if (resourceScopes.Count != 1 || !resourceScopes[0].EndsWith("/.default", StringComparison.Ordinal) || resourceScopes[0].Length == "/.default".Length)
            return Fail(EntraError.InvalidScope(scope));
        resource = resourceScopes[0][..^"/.default".Length];

        EntraError? credentialError;
        if (secret is not null)
        {
            credentialError = app.Secret is not null && FixedTimeEquals(secret, app.Secret) ? null : EntraError.InvalidSecret(app.ClientId);
        }
        else if (assertion is not null)
        {
            if (form["client_assertion_type"].FirstOrDefault() != JwtBearerAssertionType) return Fail(EntraError.BadAssertionType());
            if (!Jwt.TryParse(assertion, out var jwt)) return Fail(EntraError.MalformedAssertion());
            var iss = jwt.Claim("iss");
            if (string.Equals(iss, app.ClientId, StringComparison.OrdinalIgnoreCase))
            {
                kind = "certificate";
                credentialError = ValidateCertificateAssertion(app, jwt, tenant, ctx);
            }
            else
            {
                kind = "federated";
                credentialError = ValidateFederatedAssertion(app, jwt);
            }
        }
        else
        {
            credentialError = EntraError.MissingCredential();
        }
        if (credentialError is not null) return Fail(credentialError);

        var lifetime = TokenLifetime;
        var token = _issuer.Issue(app.TenantId, app.ClientId, app.Roles, lifetime, resource);
        Record(new(DateTimeOffset.UtcNow, "token", grantType, tenant, clientId, resource, kind, 200, "issued"));
        var seconds = long.Parse(Seconds(lifetime), CultureInfo.InvariantCulture);
        return Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = seconds,
            ["ext_expires_in"] = seconds,
            ["access_token"] = token,
        });
    }

    private EntraError? ValidateCertificateAssertion(RegisteredApp app, ParsedJwt jwt, string tenant, HttpContext ctx)
    {
        var x5t = jwt.HeaderString("x5t");
        var x5tS256 = jwt.HeaderString("x5t#S256");
        var presented = DecodeThumbprint(x5tS256) ?? DecodeThumbprint(x5t);
        var cert = app.Certificate;
        var matches = cert is not null &&
            ((x5tS256 is not null && DecodeThumbprint(x5tS256) == Convert.ToHexString(cert.GetCertHash(HashAlgorithmName.SHA256))) ||
             (x5t is not null && DecodeThumbprint(x5t) == Convert.ToHexString(cert.GetCertHash(HashAlgorithmName.SHA1))));
        if (!matches) return EntraError.CertificateNotRegistered(app.ClientId, presented);

        using (var key = cert!.GetRSAPublicKey())
        {
            if (key is null || !jwt.VerifySignature(key)) return EntraError.InvalidSignature(app.ClientId);
        }
        if (!string.Equals(jwt.Claim("sub"), app.ClientId, StringComparison.OrdinalIgnoreCase))
            return EntraError.AssertionAudience(jwt.Audiences().FirstOrDefault());

        // Entra accepts the tenant's token endpoint (v2 or v1) as audience, under either host name of this server.
        var port = ctx.Request.Host.Port;
        var accepted = new[] { "127.0.0.1", "localhost" }
            .SelectMany(h => new[] { $"https://{h}:{port}/{tenant}/oauth2/v2.0/token", $"https://{h}:{port}/{tenant}/oauth2/token" })
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var audiences = jwt.Audiences();
        if (!audiences.Any(accepted.Contains)) return EntraError.AssertionAudience(audiences.FirstOrDefault());
        return CheckTimeRange(jwt);
    }

    private EntraError? ValidateFederatedAssertion(RegisteredApp app, ParsedJwt jwt)
    {
        var iss = jwt.Claim("iss");
        var sub = jwt.Claim("sub");
        var audiences = jwt.Audiences();
        // Matching is exact and case-sensitive, as Entra does it for federated identity credentials.
        var match = (app.FederatedCredentials ?? []).FirstOrDefault(f =>
            string.Equals(f.Issuer, iss, StringComparison.Ordinal) &&
            string.Equals(f.Subject, sub, StringComparison.Ordinal) &&
            audiences.Any(a => f.Audiences.Contains(a, StringComparer.Ordinal)));
        if (match is null) return EntraError.NoFederatedMatch(iss, sub, audiences.FirstOrDefault());
        if (!string.Equals(iss, _options.FederatedIssuer, StringComparison.Ordinal) || !jwt.VerifySignature(_federatedKey))
            return EntraError.FederatedSignature(iss);
        return CheckTimeRange(jwt);
    }

    private static EntraError? CheckTimeRange(ParsedJwt jwt)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = jwt.NumericClaim("exp");
        var nbf = jwt.NumericClaim("nbf");
        if (exp is null || DateTimeOffset.FromUnixTimeSeconds(exp.Value) + s_clockSkew < now ||
            (nbf is not null && DateTimeOffset.FromUnixTimeSeconds(nbf.Value) - s_clockSkew > now))
            return EntraError.AssertionTimeRange(nbf, exp);
        return null;
    }

    private static string? DecodeThumbprint(string? base64Url)
    {
        if (string.IsNullOrEmpty(base64Url)) return null;
        try
        {
            return Convert.ToHexString(System.Buffers.Text.Base64Url.DecodeFromChars(base64Url));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    // --- managed identity (App Service, api-version 2019-08-01) --------------------------------------------------------

    private async Task<IResult> ManagedIdentityToken(HttpContext ctx)
    {
        Interlocked.Increment(ref _tokenRequestCount);
        var q = ctx.Request.Query;
        var clientId = q["client_id"].FirstOrDefault();
        await StallIfAskedAsync(ctx, "managed_identity", clientId);
        var resource = q["resource"].FirstOrDefault();
        ManagedIdentity? identity = null;

        IResult Fail(int status, string message, string outcome)
        {
            Record(new(DateTimeOffset.UtcNow, "managed_identity", "managed_identity", identity?.TenantId, clientId, resource,
                "managed_identity", status, outcome));
            return Json(new JsonObject
            {
                ["statusCode"] = status,
                ["message"] = message,
                ["correlationId"] = Guid.NewGuid().ToString(),
            }, status);
        }

        var header = ctx.Request.Headers["X-IDENTITY-HEADER"].FirstOrDefault();
        if (header is null || !FixedTimeEquals(header, ManagedIdentityHeader))
            return Fail(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.", "bad_identity_header");
        if (q["api-version"].FirstOrDefault() != "2019-08-01")
            return Fail(400, "The api-version query parameter is missing or not supported; use 2019-08-01.", "bad_api_version");
        if (string.IsNullOrEmpty(resource))
            return Fail(400, "The resource query parameter is required.", "missing_resource");
        if (q.ContainsKey("mi_res_id") || q.ContainsKey("principal_id") || q.ContainsKey("object_id"))
            return Fail(400, "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.", "unknown_identity");

        identity = clientId is null ? _systemAssigned : _userAssigned.GetValueOrDefault(clientId);
        if (identity is null)
            return Fail(400, clientId is null
                ? "No system-assigned managed identity is enabled for this app."
                : "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.", "unknown_identity");

        var lifetime = TokenLifetime;
        var token = _issuer.Issue(identity.TenantId, identity.ClientId, identity.Roles, lifetime, resource.TrimEnd('/'));
        Record(new(DateTimeOffset.UtcNow, "managed_identity", "managed_identity", identity.TenantId, identity.ClientId, resource,
            identity.SystemAssigned ? "system_assigned" : "user_assigned", 200, "issued"));
        var expiresOn = DateTimeOffset.UtcNow.AddSeconds(double.Parse(Seconds(lifetime), CultureInfo.InvariantCulture)).ToUnixTimeSeconds();
        return Json(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = expiresOn.ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity.ClientId,
        });
    }

    // --- control surface ---------------------------------------------------------------------------------------------

    private sealed record AppRegistrationDto(string? TenantId, string? ClientId, string? Secret, string? CertificatePem,
        string[]? Roles, FederatedCredentialDto[]? FederatedCredentials);

    private sealed record FederatedCredentialDto(string? Issuer, string? Subject, string[]? Audiences);

    private sealed record ManagedIdentityDto(string? TenantId, string? ClientId, string[]? Roles);

    private sealed record FederatedTokenDto(string? Subject, string? Audience, double? LifetimeSeconds);

    private sealed record TokenLifetimeDto(double? Seconds);

    private sealed record StallDto(bool Stall);

    private static IResult BadRequest(string message) => Results.Json(new { error = message }, statusCode: 400);

    private async Task<IResult> RegisterAppFromJsonAsync(HttpContext ctx)
    {
        var dto = await ReadJsonAsync<AppRegistrationDto>(ctx);
        if (dto is null || string.IsNullOrEmpty(dto.TenantId) || string.IsNullOrEmpty(dto.ClientId))
            return BadRequest("tenantId and clientId are required.");
        X509Certificate2? cert = null;
        if (!string.IsNullOrEmpty(dto.CertificatePem))
        {
            try
            {
                cert = X509Certificate2.CreateFromPem(dto.CertificatePem);
            }
            catch (CryptographicException)
            {
                return BadRequest("certificatePem is not a PEM certificate.");
            }
        }
        var federated = (dto.FederatedCredentials ?? [])
            .Where(f => !string.IsNullOrEmpty(f.Issuer) && !string.IsNullOrEmpty(f.Subject))
            .Select(f => new FederatedIdentityCredential(f.Issuer!, f.Subject!,
                f.Audiences is { Length: > 0 } a ? a : [FederatedIdentityCredential.DefaultAudience]))
            .ToList();
        RegisterApp(new RegisteredApp(dto.TenantId, dto.ClientId, dto.Secret, cert, dto.Roles ?? [], federated));
        return Results.Json(new { tenantId = dto.TenantId, clientId = dto.ClientId }, statusCode: 201);
    }

    private async Task<IResult> RegisterManagedIdentityFromJsonAsync(HttpContext ctx)
    {
        var dto = await ReadJsonAsync<ManagedIdentityDto>(ctx);
        if (dto is null || string.IsNullOrEmpty(dto.TenantId)) return BadRequest("tenantId is required.");
        var clientId = RegisterManagedIdentity(dto.TenantId, dto.ClientId, dto.Roles ?? []);
        return Results.Json(new { tenantId = dto.TenantId, clientId }, statusCode: 201);
    }

    private async Task<IResult> MintFederatedTokenFromJsonAsync(HttpContext ctx)
    {
        var dto = await ReadJsonAsync<FederatedTokenDto>(ctx);
        if (dto is null || string.IsNullOrEmpty(dto.Subject)) return BadRequest("subject is required.");
        var token = MintFederatedToken(dto.Subject, dto.Audience ?? FederatedIdentityCredential.DefaultAudience,
            dto.LifetimeSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        return Results.Json(new { token, issuer = FederatedIssuer });
    }

    /// <summary>Holds a token request, while stalling is on, until the client hangs up (then the handler ends with it).</summary>
    private async Task StallIfAskedAsync(HttpContext ctx, string endpoint, string? clientId)
    {
        if (!StallTokenRequests) return;
        // Logged when it arrives (status 0: never answered), so a client's attempts can be counted.
        lock (_logLock) _tokenRequests.Add(new(DateTimeOffset.UtcNow, endpoint, "stalled", null, clientId, null, "stalled", 0, "stalled: no answer"));
        await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
    }

    private async Task<IResult> SetStallFromJsonAsync(HttpContext ctx)
    {
        var dto = await ReadJsonAsync<StallDto>(ctx);
        if (dto is null) return BadRequest("Send {\"stall\": true|false}.");
        StallTokenRequests = dto.Stall;
        return Results.Json(new { stall = StallTokenRequests });
    }

    private async Task<IResult> SetTokenLifetimeFromJsonAsync(HttpContext ctx)
    {
        var dto = await ReadJsonAsync<TokenLifetimeDto>(ctx);
        if (dto?.Seconds is not { } s || s <= 0) return BadRequest("seconds must be a positive number.");
        TokenLifetime = TimeSpan.FromSeconds(s);
        return Results.Json(new { seconds = TokenLifetime.TotalSeconds });
    }

    private static async Task<T?> ReadJsonAsync<T>(HttpContext ctx) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(ctx.Request.Body, s_json, ctx.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
