using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GraphEmulator;

/// <summary>Who a request's bearer token says it is.</summary>
public sealed record TokenPrincipal(string? TenantId, string? AppId, string? Subject, IReadOnlyList<string> Roles, bool Delegated);

/// <summary>Mints and checks RS256 JWTs shaped like Entra's app-only tokens for Microsoft Graph.</summary>
internal sealed class TokenService : IDisposable
{
    public const string GraphAudience = "https://graph.microsoft.com";
    private const string GraphAppId = "00000003-0000-0000-c000-000000000000";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private readonly RSA _rsa = RSA.Create(2048);

    public string Mint(string tenantId, IEnumerable<string>? roles, TimeSpan lifetime, string? appId, bool delegated, string audience = GraphAudience)
    {
        var now = DateTimeOffset.UtcNow;
        var iat = now.ToUnixTimeSeconds();
        var app = appId ?? "5b1c2d3e-4f50-4a6b-8c7d-000000000001";
        var oid = DeterministicGuid(tenantId + "|" + app);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("aud", audience);
            w.WriteString("iss", $"https://sts.windows.net/{tenantId}/");
            w.WriteNumber("iat", iat);
            w.WriteNumber("nbf", iat);
            w.WriteNumber("exp", now.Add(lifetime).ToUnixTimeSeconds());
            w.WriteString("appid", app);
            w.WriteString("azp", app);
            w.WriteString("idtyp", delegated ? "user" : "app");
            w.WriteString("oid", oid);
            w.WriteString("sub", oid);
            w.WriteString("tid", tenantId);
            w.WriteString("ver", "1.0");
            var r = (roles ?? new[] { "CallRecords.Read.All" }).ToArray();
            if (delegated)
            {
                // Delegated tokens carry scopes, not roles; call records don't support them.
                w.WriteString("scp", string.Join(' ', r));
            }
            else
            {
                w.WriteStartArray("roles");
                foreach (var role in r) w.WriteStringValue(role);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        var header = B64Url("{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"graph-emulator\"}"u8);
        var payload = B64Url(ms.ToArray());
        var signingInput = header + "." + payload;
        var sig = _rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64Url(sig);
    }

    public enum Failure { None, Empty, Malformed, BadSignature, Expired, NotYetValid, BadAudience }

    public Failure Validate(string token, out TokenPrincipal? principal)
    {
        principal = null;
        if (string.IsNullOrWhiteSpace(token)) return Failure.Empty;
        var parts = token.Split('.');
        if (parts.Length != 3) return Failure.Malformed;
        byte[] headerBytes, payloadBytes, sig;
        try
        {
            headerBytes = FromB64Url(parts[0]);
            payloadBytes = FromB64Url(parts[1]);
            sig = FromB64Url(parts[2]);
        }
        catch (FormatException)
        {
            return Failure.Malformed;
        }
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "RS256")
                return Failure.BadSignature;
            using var payload = JsonDocument.Parse(payloadBytes);
            var p = payload.RootElement;
            if (p.ValueKind != JsonValueKind.Object) return Failure.Malformed;
            if (!_rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return Failure.BadSignature;
            var now = DateTimeOffset.UtcNow;
            if (!p.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number ||
                DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) + ClockSkew <= now)
                return Failure.Expired;
            if (p.TryGetProperty("nbf", out var nbf) && nbf.ValueKind == JsonValueKind.Number &&
                DateTimeOffset.FromUnixTimeSeconds(nbf.GetInt64()) - ClockSkew > now)
                return Failure.NotYetValid;
            var aud = Str(p, "aud");
            if (aud is not (GraphAudience or GraphAudience + "/" or GraphAppId)) return Failure.BadAudience;
            var roles = new List<string>();
            if (p.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array)
                foreach (var e in r.EnumerateArray())
                    if (e.ValueKind == JsonValueKind.String) roles.Add(e.GetString()!);
            var delegated = p.TryGetProperty("scp", out _);
            principal = new TokenPrincipal(Str(p, "tid"), Str(p, "appid") ?? Str(p, "azp"), Str(p, "sub"), roles, delegated);
            return Failure.None;
        }
        catch (JsonException)
        {
            return Failure.Malformed;
        }
    }

    /// <summary>Best-effort claims of a token the emulator does not verify (--accept-any-token), for the request log.</summary>
    public static TokenPrincipal Unverified(string token)
    {
        try
        {
            var parts = token.Split('.');
            if (parts.Length == 3)
            {
                using var payload = JsonDocument.Parse(FromB64Url(parts[1]));
                var p = payload.RootElement;
                if (p.ValueKind == JsonValueKind.Object)
                    return new TokenPrincipal(Str(p, "tid"), Str(p, "appid") ?? Str(p, "azp"), Str(p, "sub"), new[] { "CallRecords.Read.All" }, false);
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // An opaque token is fine in this mode.
        }
        return new TokenPrincipal(null, null, null, new[] { "CallRecords.Read.All" }, false);
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string DeterministicGuid(string s)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(s));
        return new Guid(h.AsSpan(0, 16)).ToString();
    }

    internal static string B64Url(ReadOnlySpan<byte> b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static byte[] FromB64Url(string s)
    {
        var t = s.Replace('-', '+').Replace('_', '/');
        t += (t.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => throw new FormatException("Bad base64url length.") };
        return Convert.FromBase64String(t);
    }

    public void Dispose() => _rsa.Dispose();
}
