using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GraphEmulator;

/// <summary>A 400 the request deserves, in Graph's error shape.</summary>
internal sealed class GraphRequestException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>The only $filter shapes Graph accepts on the call-record list.</summary>
internal sealed record ListFilter(DateTimeOffset? Lower, bool LowerInclusive, DateTimeOffset? Upper, bool UpperInclusive, string? ParticipantId)
{
    public static readonly ListFilter None = new(null, true, null, true, null);

    public bool Matches(DateTimeOffset start)
    {
        if (Lower is { } l && (LowerInclusive ? start < l : start <= l)) return false;
        if (Upper is { } u && (UpperInclusive ? start > u : start >= u)) return false;
        return true;
    }

    /// <summary>
    /// Parses: clause ('and' clause)*, clause = startDateTime (ge|gt|le|lt) DateTimeOffset
    /// | participants_v2/any(v:v/id eq 'id'); each clause optionally parenthesized. Anything else is refused, as Graph
    /// refuses it (List callRecords documents exactly these two properties and operators).
    /// </summary>
    public static ListFilter Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return None;
        var t = new Lexer(text);
        var f = None;
        while (true)
        {
            f = Clause(t, f);
            if (t.AtEnd) return f;
            var word = t.Word();
            if (word.Equals("and", StringComparison.Ordinal)) continue;
            if (word.Equals("or", StringComparison.OrdinalIgnoreCase))
                throw Invalid("The 'or' operator is not supported. Combine clauses with 'and'.");
            throw Invalid($"Syntax error at position {t.Position} in '{text}'.");
        }
    }

    private static ListFilter Clause(Lexer t, ListFilter f)
    {
        if (t.TryChar('('))
        {
            var inner = Clause(t, f);
            if (!t.TryChar(')')) throw Invalid("')' expected.");
            return inner;
        }
        var prop = t.Path();
        if (prop.Equals("startDateTime", StringComparison.Ordinal))
        {
            var op = t.Word();
            var lit = t.Literal();
            if (lit.StartsWith('\''))
                throw Invalid("A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String'.");
            if (!DateTimeOffset.TryParse(lit, CultureInfo.InvariantCulture, DateTimeStyles.None, out var when) ||
                !lit.Contains('T') || !(lit.EndsWith('Z') || lit.Contains('+') || lit.LastIndexOf('-') > 10))
                throw Invalid($"The DateTimeOffset literal '{lit}' is not valid; use e.g. 2026-11-01T00:00:00Z.");
            when = when.ToUniversalTime();
            return op switch
            {
                "ge" => Tighter(f, when, true, lower: true),
                "gt" => Tighter(f, when, false, lower: true),
                "le" => Tighter(f, when, true, lower: false),
                "lt" => Tighter(f, when, false, lower: false),
                _ => throw Invalid($"Operator '{op}' is not supported on startDateTime; use ge, gt, le or lt."),
            };
        }
        if (prop.Equals("participants_v2/any", StringComparison.Ordinal))
        {
            if (!t.TryChar('(')) throw Invalid("'(' expected after any.");
            var v = t.Word();
            if (!t.TryChar(':')) throw Invalid("':' expected in the lambda.");
            var path = t.Path();
            if (!path.Equals(v + "/id", StringComparison.Ordinal)) throw Invalid($"Only {v}/id can be filtered on participants_v2.");
            var op = t.Word();
            if (op != "eq") throw Invalid($"Operator '{op}' is not supported on participants_v2/id; use eq.");
            var lit = t.Literal();
            if (lit.Length < 2 || !lit.StartsWith('\'') || !lit.EndsWith('\'')) throw Invalid("A quoted participant id is expected.");
            if (!t.TryChar(')')) throw Invalid("')' expected to close any().");
            if (f.ParticipantId is not null) throw Invalid("Only one participants_v2 clause is supported.");
            return f with { ParticipantId = lit[1..^1].Replace("''", "'", StringComparison.Ordinal) };
        }
        if (prop.Length == 0) throw Invalid("A property name is expected.");
        throw Invalid($"Filtering on '{prop}' is not supported. Only startDateTime (ge, gt, le, lt) and participants_v2/any(p:p/id eq '…') are supported.");
    }

    private static ListFilter Tighter(ListFilter f, DateTimeOffset when, bool inclusive, bool lower)
    {
        if (lower)
        {
            if (f.Lower is { } l && (l > when || (l == when && !f.LowerInclusive))) return f;
            return f with { Lower = when, LowerInclusive = inclusive };
        }
        if (f.Upper is { } u && (u < when || (u == when && !f.UpperInclusive))) return f;
        return f with { Upper = when, UpperInclusive = inclusive };
    }

    private static GraphRequestException Invalid(string detail) => new(400, "BadRequest", "Invalid filter clause: " + detail);

    private sealed class Lexer(string s)
    {
        private int _i;
        public int Position => _i;
        public bool AtEnd { get { Skip(); return _i >= s.Length; } }

        private void Skip() { while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++; }

        public bool TryChar(char c)
        {
            Skip();
            if (_i < s.Length && s[_i] == c) { _i++; return true; }
            return false;
        }

        public string Word()
        {
            Skip();
            var b = _i;
            while (_i < s.Length && (char.IsLetterOrDigit(s[_i]) || s[_i] == '_')) _i++;
            return s[b.._i];
        }

        public string Path()
        {
            Skip();
            var b = _i;
            while (_i < s.Length && (char.IsLetterOrDigit(s[_i]) || s[_i] is '_' or '/' or '.')) _i++;
            return s[b.._i];
        }

        public string Literal()
        {
            Skip();
            var b = _i;
            if (_i < s.Length && s[_i] == '\'')
            {
                _i++;
                while (_i < s.Length)
                {
                    if (s[_i] == '\'')
                    {
                        if (_i + 1 < s.Length && s[_i + 1] == '\'') { _i += 2; continue; }
                        _i++;
                        return s[b.._i];
                    }
                    _i++;
                }
                throw Invalid("Unterminated string literal.");
            }
            while (_i < s.Length && !char.IsWhiteSpace(s[_i]) && s[_i] != ')') _i++;
            return s[b.._i];
        }
    }
}

/// <summary>
/// Opaque, tamper-evident paging state ($skiptoken): the JSON state encrypted with AES-GCM under a per-host key, so a
/// client can neither read an offset out of it nor forge one; it must follow the nextLink as given.
/// </summary>
internal sealed class SkipTokenCodec : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly AesGcm _aes = new(RandomNumberGenerator.GetBytes(32), TagSize);
    // One AesGcm instance is not safe for concurrent use (on Linux it holds one OpenSSL cipher context): parallel
    // requests corrupted each other's tokens, which came back as "invalid or expired".
    private readonly Lock _lock = new();

    public string Encode(Dictionary<string, string> state)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(state, EmulatorJsonContext.Default.DictionaryStringString);
        var all = new byte[NonceSize + TagSize + json.Length];
        RandomNumberGenerator.Fill(all.AsSpan(0, NonceSize));
        lock (_lock) _aes.Encrypt(all.AsSpan(0, NonceSize), json, all.AsSpan(NonceSize + TagSize), all.AsSpan(NonceSize, TagSize));
        return TokenService.B64Url(all);
    }

    public Dictionary<string, string> Decode(string token, string kind)
    {
        try
        {
            var all = TokenService.FromB64Url(token);
            if (all.Length > NonceSize + TagSize)
            {
                var json = new byte[all.Length - NonceSize - TagSize];
                lock (_lock) _aes.Decrypt(all.AsSpan(0, NonceSize), all.AsSpan(NonceSize + TagSize), all.AsSpan(NonceSize, TagSize), json);
                var state = JsonSerializer.Deserialize(json, EmulatorJsonContext.Default.DictionaryStringString);
                if (state is not null && state.TryGetValue("k", out var k) && k == kind) return state;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or CryptographicException)
        {
            // Falls through to the 400 below.
        }
        throw new GraphRequestException(400, "BadRequest", "The $skiptoken is invalid or expired.");
    }

    public void Dispose() => _aes.Dispose();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EmulatorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>$select and $expand handling.</summary>
internal static class QueryOptions
{
    public static readonly HashSet<string> CallRecordProperties = new(StringComparer.Ordinal)
    {
        "id", "version", "type", "modalities", "lastModifiedDateTime", "startDateTime", "endDateTime", "joinWebUrl",
        "organizer", "participants",
    };

    public static readonly HashSet<string> SessionProperties = new(StringComparer.Ordinal)
    {
        "id", "modalities", "startDateTime", "endDateTime", "isTest", "caller", "callee", "failureInfo",
    };

    public static readonly HashSet<string> ParticipantProperties = new(StringComparer.Ordinal)
    {
        "id", "identity", "administrativeUnitInfos",
    };

    /// <summary>The $select list, or null for all properties; unknown names are a 400 as in Graph.</summary>
    public static string[]? Select(string? raw, HashSet<string> known, string typeName)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var names = raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var n in names)
            if (!known.Contains(n))
                throw new GraphRequestException(400, "BadRequest", $"Could not find a property named '{n}' on type '{typeName}'.");
        return names;
    }

    /// <summary>Rejects query options a route does not support, as OData's validation does.</summary>
    public static void Allow(IQueryCollection q, params string[] allowed)
    {
        foreach (var key in q.Keys)
        {
            if (!key.StartsWith('$')) continue;
            if (allowed.Contains(key, StringComparer.OrdinalIgnoreCase)) continue;
            var name = key.Length > 1 ? char.ToUpperInvariant(key[1]) + key[2..] : key;
            throw new GraphRequestException(400, "BadRequest",
                $"Query option '{name}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.");
        }
    }
}
