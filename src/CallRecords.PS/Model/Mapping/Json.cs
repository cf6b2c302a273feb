using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>
/// Tolerant readers over a JsonElement: a missing property, a null, or a value of an unexpected JSON kind gives null
/// instead of an exception, so a schema change on Graph's side never fails a whole page.
/// </summary>
internal static class Json
{
    public static JsonElement? Prop(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static JsonElement? Obj(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Object } v ? v : null;

    public static string? Str(this JsonElement e, string name) => e.Prop(name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
        _ => null,
    };

    public static string? Enum(this JsonElement e, string name) => GraphEnums.Normalize(e.Str(name));

    public static DateTimeOffset? Date(this JsonElement e, string name) =>
        e.Str(name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d.ToUniversalTime()
            : null;

    public static TimeSpan? Duration(this JsonElement e, string name) => IsoDuration.Parse(e.Str(name));

    public static long? Int64(this JsonElement e, string name) => e.Prop(name) switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var l) => l,
        { ValueKind: JsonValueKind.Number } v when v.TryGetDouble(out var d) && d >= long.MinValue && d <= long.MaxValue => (long)d,
        { ValueKind: JsonValueKind.String } v when long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    public static int? Int32(this JsonElement e, string name) => e.Int64(name) is { } l && l >= int.MinValue && l <= int.MaxValue ? (int)l : null;

    public static float? Single(this JsonElement e, string name) => e.Prop(name) switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetSingle(out var f) => f,
        // Kiota-style special values ("NaN", "INF") and numbers sent as text.
        { ValueKind: JsonValueKind.String } v when float.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) => f,
        _ => null,
    };

    public static decimal? Decimal(this JsonElement e, string name) => e.Prop(name) switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetDecimal(out var m) => m,
        { ValueKind: JsonValueKind.String } v when decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) => m,
        _ => null,
    };

    public static bool? Bool(this JsonElement e, string name) => e.Prop(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } v when bool.TryParse(v.GetString(), out var b) => b,
        _ => null,
    };

    public static ValueList EnumList(this JsonElement e, string name)
    {
        if (e.Prop(name) is not { ValueKind: JsonValueKind.Array } a) return ValueList.Empty;
        var list = new List<string>(a.GetArrayLength());
        foreach (var item in a.EnumerateArray())
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { } s) list.Add(GraphEnums.Normalize(s)!);
        return new ValueList(list);
    }

    public static ModelList<T> List<T>(this JsonElement e, string name, Func<JsonElement, T?> map) where T : class
    {
        if (e.Prop(name) is not { ValueKind: JsonValueKind.Array } a) return ModelList<T>.Empty;
        var list = new List<T>(a.GetArrayLength());
        foreach (var item in a.EnumerateArray())
            if (map(item) is { } mapped) list.Add(mapped);
        return new ModelList<T>(list);
    }

    public static TimeSpan? Span(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } s && end is { } f && f >= s ? f - s : null;
}
