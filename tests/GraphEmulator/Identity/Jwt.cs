using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphEmulator.Identity;

/// <summary>Just enough compact-JWS handling for the token service: RS256/PS256 signing and parsing.</summary>
public static class Jwt
{
    public static string Sign(JsonObject header, JsonObject payload, RSA key)
    {
        var alg = header["alg"]?.GetValue<string>() ?? "RS256";
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                           Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256,
            Padding(alg) ?? throw new ArgumentException($"Unsupported alg {alg}.", nameof(header)));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Splits and decodes a compact JWS; false if it is not one (never throws on bad input).</summary>
    public static bool TryParse(string? token, out ParsedJwt parsed)
    {
        parsed = default!;
        if (string.IsNullOrEmpty(token)) return false;
        var parts = token.Split('.');
        if (parts.Length != 3) return false;
        try
        {
            var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.Clone();
            var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
            if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object) return false;
            parsed = new ParsedJwt(header, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
                Base64Url.DecodeFromChars(parts[2]));
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    internal static RSASignaturePadding? Padding(string alg) => alg switch
    {
        "RS256" => RSASignaturePadding.Pkcs1,
        "PS256" => RSASignaturePadding.Pss,
        _ => null,
    };
}

public sealed record ParsedJwt(JsonElement Header, JsonElement Payload, byte[] SigningInput, byte[] Signature)
{
    public string? HeaderString(string name) =>
        Header.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public string? Claim(string name) =>
        Payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A NumericDate claim. MSAL writes exp/nbf of its client assertions as JSON strings, so digits in a
    /// string count too.</summary>
    public long? NumericClaim(string name)
    {
        if (!Payload.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)) return n;
        if (v.ValueKind == JsonValueKind.String &&
            long.TryParse(v.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s))
            return s;
        return null;
    }

    /// <summary>aud may be a string or an array of strings.</summary>
    public IReadOnlyList<string> Audiences()
    {
        if (!Payload.TryGetProperty("aud", out var aud)) return [];
        if (aud.ValueKind == JsonValueKind.String) return [aud.GetString()!];
        if (aud.ValueKind == JsonValueKind.Array)
            return aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList();
        return [];
    }

    public IReadOnlyList<string> StringArrayClaim(string name) =>
        Payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList()
            : [];

    /// <summary>Verifies the RS256/PS256 signature with the given public key; other algorithms fail.</summary>
    public bool VerifySignature(RSA publicKey)
    {
        var padding = Jwt.Padding(HeaderString("alg") ?? "");
        if (padding is null) return false;
        try
        {
            return publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
