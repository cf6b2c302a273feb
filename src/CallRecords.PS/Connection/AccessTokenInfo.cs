using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace CallRecords.Connection;

/// <summary>
/// The claims of a JWT access token that matter for display and for the permission check (tenant, app, expiry,
/// application roles, delegated scopes). The signature is not checked here: Graph does that.
/// </summary>
internal sealed class AccessTokenInfo
{
    public string? TenantId { get; private set; }
    public string? AppId { get; private set; }
    public string? Audience { get; private set; }
    public DateTimeOffset? ExpiresOn { get; private set; }
    public IReadOnlyList<string> Roles { get; private set; } = Array.Empty<string>();
    /// <summary>The scp claim: present only in delegated (user) tokens.</summary>
    public string? Scopes { get; private set; }

    /// <summary>True when the text is a JWT with a JSON payload (header.payload.signature, base64url).</summary>
    public static bool LooksLikeJwt(string text) => TryParse(text, out _);

    /// <summary>Reads the payload; false when the text is not a JWT (three base64url parts with a JSON payload).</summary>
    public static bool TryParse(string token, out AccessTokenInfo info)
    {
        info = new AccessTokenInfo();
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0) return false;
        try
        {
            using var doc = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            info.TenantId = Text(root, "tid");
            info.AppId = Text(root, "appid") ?? Text(root, "azp");
            info.Audience = Text(root, "aud");
            info.Scopes = Text(root, "scp");
            if (root.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out var seconds))
                info.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(seconds);
            if (root.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array)
            {
                var list = new List<string>();
                foreach (var r in roles.EnumerateArray())
                    if (r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } s) list.Add(s);
                info.Roles = list;
            }
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => throw new FormatException("Bad base64url length.") };
        return Convert.FromBase64String(s);
    }
}
