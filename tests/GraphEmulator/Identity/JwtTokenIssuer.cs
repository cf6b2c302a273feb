using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace GraphEmulator.Identity;

/// <summary>Issues Entra-shaped app-only access tokens (v1.0, as Graph receives them) signed RS256 with a key generated
/// per instance. Whoever accepts them verifies with <see cref="ExportPublicKey"/> / <see cref="KeyId"/>.</summary>
public sealed class JwtTokenIssuer : ITokenIssuer, IDisposable
{
    public const string GraphResource = "https://graph.microsoft.com";

    private readonly RSA _key = RSA.Create(2048);

    public string KeyId { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(10));

    /// <summary>The audience used when the caller does not name one.</summary>
    public string DefaultAudience { get; init; } = GraphResource;

    public string Issue(string tenantId, string appId, IReadOnlyCollection<string> roles, TimeSpan lifetime)
        => Issue(tenantId, appId, roles, lifetime, DefaultAudience);

    public string Issue(string tenantId, string appId, IReadOnlyCollection<string> roles, TimeSpan lifetime, string audience)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = KeyId, ["x5t"] = KeyId };
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{tenantId}/",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + Math.Max(1, (long)Math.Ceiling(lifetime.TotalSeconds)),
            ["app_displayname"] = appId,
            ["appid"] = appId,
            ["appidacr"] = "1",
            ["idp"] = $"https://sts.windows.net/{tenantId}/",
            ["idtyp"] = "app",
            ["oid"] = appId,
            ["roles"] = new JsonArray(roles.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
            ["sub"] = appId,
            ["tid"] = tenantId,
            ["uti"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            ["ver"] = "1.0",
        };
        return Jwt.Sign(header, payload, _key);
    }

    /// <summary>SubjectPublicKeyInfo (DER) of the signing key.</summary>
    public byte[] ExportPublicKey() => _key.ExportSubjectPublicKeyInfo();

    /// <summary>The public key as a JWK, for a JWKS document.</summary>
    public JsonObject ExportJwk()
    {
        var p = _key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = KeyId,
            ["x5t"] = KeyId,
            ["n"] = System.Buffers.Text.Base64Url.EncodeToString(p.Modulus),
            ["e"] = System.Buffers.Text.Base64Url.EncodeToString(p.Exponent),
        };
    }

    public void Dispose() => _key.Dispose();
}
