using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

namespace CallRecords.Graph;

/// <summary>
/// Request bodies for the write operations, written with Utf8JsonWriter. PowerShell values become JSON recursively:
/// hashtables and [pscustomobject]s become objects (keys exactly as given, in their order), arrays become arrays,
/// DateTime/DateTimeOffset become ISO 8601 UTC, TimeSpan becomes an ISO 8601 duration (Graph's Edm.Duration,
/// "PT0.016S"). Other .NET objects are refused rather than guessed at: their property names are not Graph's.
/// </summary>
internal static class JsonBody
{
    private const int MaxDepth = 64;
    public const string ParticipantEndpointType = "#microsoft.graph.callRecords.participantEndpoint";
    public const string ServiceEndpointType = "#microsoft.graph.callRecords.serviceEndpoint";

    public static byte[] Serialize(object? value)
    {
        using var buffer = new MemoryStream();
        // Not a using statement: Utf8JsonWriter also implements IAsyncDisposable, a type this assembly does not
        // reference from Microsoft.Bcl.AsyncInterfaces (see Polyfills/AsyncEnumerable.cs).
        var writer = new Utf8JsonWriter(buffer);
        try
        {
            Write(writer, value, 0, "body");
        }
        finally
        {
            writer.Dispose();
        }
        return buffer.ToArray();
    }

    /// <summary>A JSON object from a hashtable / [pscustomobject] / dictionary; ArgumentException for anything else.</summary>
    public static byte[] SerializeObject(object? value, string parameterName)
    {
        if (ToOrdered(value) is null)
            throw new ArgumentException($"-{parameterName} must be a hashtable or a [pscustomobject] (it becomes the JSON request body); got {Describe(value)}.");
        return Serialize(value);
    }

    /// <summary>ISO 8601 duration with days, hours, minutes and seconds (fraction to 7 digits, trailing zeros dropped).</summary>
    public static string FormatDuration(TimeSpan value)
    {
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value == TimeSpan.MinValue ? TimeSpan.MaxValue : value.Negate();
        }
        sb.Append('P');
        if (value.Days > 0) sb.Append(value.Days.ToString(CultureInfo.InvariantCulture)).Append('D');
        var time = new TimeSpan(value.Ticks % TimeSpan.TicksPerDay);
        if (time == TimeSpan.Zero && value.Days > 0) return sb.ToString();
        sb.Append('T');
        if (time.Hours > 0) sb.Append(time.Hours.ToString(CultureInfo.InvariantCulture)).Append('H');
        if (time.Minutes > 0) sb.Append(time.Minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
        var secondTicks = time.Ticks % TimeSpan.TicksPerMinute;
        if (secondTicks > 0 || time == TimeSpan.Zero)
        {
            var seconds = (secondTicks / (decimal)TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture);
            sb.Append(seconds).Append('S');
        }
        return sb.ToString();
    }

    /// <summary>
    /// An endpoint (session/segment caller or callee): a string is a user's object id (a participantEndpoint with
    /// that user identity); a hashtable/[pscustomobject] is sent as given, with @odata.type added when it is
    /// missing and the entry names an identity (participantEndpoint) or only a userAgent (serviceEndpoint).
    /// </summary>
    public static object Endpoint(object value, string parameterName)
    {
        if (Unwrap(value) is string userId)
            return Ordered(("@odata.type", ParticipantEndpointType), ("identity", UserIdentitySet(userId)));
        var given = ToOrdered(value) ?? throw new ArgumentException(
            $"-{parameterName} must be a user's object id or a hashtable such as @{{ identity = @{{ user = @{{ id = '…'; displayName = '…' }} }} }}; got {Describe(value)}.");
        if (given.Contains("@odata.type")) return given;
        string? type = given.Contains("identity") || given.Contains("feedback") ? ParticipantEndpointType
            : given.Contains("userAgent") ? ServiceEndpointType : null;
        if (type is null) return given;
        var typed = Ordered(("@odata.type", type));
        foreach (DictionaryEntry e in given) typed[e.Key] = e.Value;
        return typed;
    }

    /// <summary>A participant or organizer (participantBase): a string is a user's object id; else sent as given.</summary>
    public static object Participant(object value, string parameterName)
    {
        if (Unwrap(value) is string userId) return Ordered(("id", userId), ("identity", UserIdentitySet(userId)));
        return ToOrdered(value) ?? throw new ArgumentException(
            $"-{parameterName} takes user object ids or hashtables such as @{{ id = '…'; identity = @{{ user = @{{ id = '…'; displayName = '…' }} }} }}; got {Describe(value)}.");
    }

    /// <summary>A hashtable / [pscustomobject] / dictionary as an ordered dictionary (keys as strings); null otherwise.</summary>
    public static OrderedDictionary? ToOrdered(object? value)
    {
        switch (Unwrap(value))
        {
            case IDictionary d:
                var result = new OrderedDictionary(StringComparer.Ordinal);
                foreach (DictionaryEntry e in d) result[KeyText(e.Key)] = e.Value;
                return result;
            case PSObject custom:
                var props = new OrderedDictionary(StringComparer.Ordinal);
                foreach (var p in custom.Properties) props[p.Name] = p.Value;
                return props;
            default:
                return null;
        }
    }

    private static OrderedDictionary UserIdentitySet(string userId)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new ArgumentException("A user id is empty.");
        return Ordered(("user", Ordered(("id", userId))));
    }

    private static OrderedDictionary Ordered(params (string Key, object? Value)[] entries)
    {
        var d = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var (k, v) in entries) d[k] = v;
        return d;
    }

    /// <summary>The value under a PSObject; a PSObject over a PSCustomObject stays (its note properties are the data).</summary>
    private static object? Unwrap(object? value)
    {
        while (value is PSObject pso)
        {
            if (pso.BaseObject is PSCustomObject) return pso;
            if (ReferenceEquals(pso.BaseObject, pso)) return pso;
            value = pso.BaseObject;
        }
        return value;
    }

    private static string KeyText(object key) => Unwrap(key) switch
    {
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other?.ToString() ?? string.Empty,
    };

    private static string Describe(object? value) => Unwrap(value) is { } v ? "a value of type " + v.GetType().FullName : "nothing";

    private static void Write(Utf8JsonWriter w, object? value, int depth, string path)
    {
        if (depth > MaxDepth) throw new ArgumentException($"The body nests deeper than {MaxDepth} levels at {path}; is an object referring to itself?");
        var v = Unwrap(value);
        switch (v)
        {
            case null:
            case DBNull:
                w.WriteNullValue();
                return;
            case string s: w.WriteStringValue(s); return;
            case char c: w.WriteStringValue(c.ToString()); return;
            case bool b: w.WriteBooleanValue(b); return;
            case SwitchParameter sw: w.WriteBooleanValue(sw.IsPresent); return;
            case sbyte or byte or short or ushort or int or uint or long:
                w.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture));
                return;
            case ulong ul: w.WriteNumberValue(ul); return;
            case decimal m: w.WriteNumberValue(m); return;
            case float or double:
                var d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d)) throw new ArgumentException($"{path} is {d}, which JSON cannot carry.");
                w.WriteNumberValue(d);
                return;
            // A DateTime without a kind is local time, as everywhere else in PowerShell.
            case DateTime dt: w.WriteStringValue(ODataFilter.DateTime(new DateTimeOffset(dt.Kind == DateTimeKind.Utc ? dt : dt.ToUniversalTime()))); return;
            case DateTimeOffset dto: w.WriteStringValue(ODataFilter.DateTime(dto)); return;
            case TimeSpan ts: w.WriteStringValue(FormatDuration(ts)); return;
            case Guid g: w.WriteStringValue(g.ToString()); return;
            case Uri u: w.WriteStringValue(u.OriginalString); return;
            case Enum e: w.WriteStringValue(e.ToString()); return;
            case ScriptBlock: throw new ArgumentException($"{path} is a script block; give its value instead.");
        }
        if (ToOrdered(v) is { } map)
        {
            w.WriteStartObject();
            foreach (DictionaryEntry entry in map)
            {
                var key = (string)entry.Key;
                w.WritePropertyName(key);
                Write(w, entry.Value, depth + 1, path + "." + key);
            }
            w.WriteEndObject();
            return;
        }
        if (v is IEnumerable items)
        {
            w.WriteStartArray();
            var i = 0;
            foreach (var item in items) Write(w, item, depth + 1, path + "[" + (i++).ToString(CultureInfo.InvariantCulture) + "]");
            w.WriteEndArray();
            return;
        }
        throw new ArgumentException($"{path} is a {v.GetType().FullName}, which has no JSON form here; use a hashtable or [pscustomobject] with Graph's property names.");
    }
}
