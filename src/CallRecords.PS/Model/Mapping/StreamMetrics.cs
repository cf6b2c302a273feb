using System;
using System.Collections.Generic;
using System.Reflection;
using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>
/// The 26 metrics of a Graph mediaStream (codecs and quality figures), defined once: they are the properties of
/// <see cref="CallRecordMediaStream"/> other than its identity (stream id, direction, start, end). The mapper reads
/// each from Graph's camelCase name with the reader its type asks for, and <see cref="StreamRows"/> copies each to the
/// property of the same name and type on the flat <see cref="CallRecordStream"/> row. A metric the row lacks (or has
/// with another type) fails the type's initialisation, so the two public types cannot drift apart.
/// </summary>
internal static class StreamMetrics
{
    private static readonly string[] Identity =
    {
        nameof(CallRecordMediaStream.StreamId), nameof(CallRecordMediaStream.StreamDirection),
        nameof(CallRecordMediaStream.StartDateTime), nameof(CallRecordMediaStream.EndDateTime),
    };

    /// <summary>Every metric, in declaration order.</summary>
    public static IReadOnlyList<StreamMetric> All { get; } = Build();

    /// <summary>Sets every metric of <paramref name="stream"/> from the mediaStream JSON.</summary>
    public static void Read(JsonElement json, CallRecordMediaStream stream)
    {
        foreach (var m in All) m.Read(json, stream);
    }

    /// <summary>Copies every metric of <paramref name="stream"/> to the flat row.</summary>
    public static void Copy(CallRecordMediaStream stream, CallRecordStream row)
    {
        foreach (var m in All) m.Copy(stream, row);
    }

    private static IReadOnlyList<StreamMetric> Build()
    {
        var metrics = new List<StreamMetric>();
        foreach (var nested in typeof(CallRecordMediaStream).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (Array.IndexOf(Identity, nested.Name) >= 0) continue;
            var flat = typeof(CallRecordStream).GetProperty(nested.Name, BindingFlags.Public | BindingFlags.Instance);
            if (flat is null || flat.PropertyType != nested.PropertyType)
                throw new InvalidOperationException($"CallRecordStream needs a {nested.PropertyType} {nested.Name} for the stream metric of that name.");
            var type = nested.PropertyType;
            metrics.Add(
                type == typeof(string) ? Make<string?>(nested, flat, Json.Enum) :
                type == typeof(float?) ? Make<float?>(nested, flat, Json.Single) :
                type == typeof(TimeSpan?) ? Make<TimeSpan?>(nested, flat, Json.Duration) :
                type == typeof(long?) ? Make<long?>(nested, flat, Json.Int64) :
                type == typeof(bool?) ? Make<bool?>(nested, flat, Json.Bool) :
                throw new InvalidOperationException($"No JSON reader for the stream metric {nested.Name} ({type})."));
        }
        return metrics;
    }

    private static StreamMetric Make<T>(PropertyInfo nested, PropertyInfo flat, Func<JsonElement, string, T> read)
    {
        var get = (Func<CallRecordMediaStream, T>)Delegate.CreateDelegate(typeof(Func<CallRecordMediaStream, T>), nested.GetGetMethod()!);
        var set = (Action<CallRecordMediaStream, T>)Delegate.CreateDelegate(typeof(Action<CallRecordMediaStream, T>), nested.GetSetMethod()!);
        var setFlat = (Action<CallRecordStream, T>)Delegate.CreateDelegate(typeof(Action<CallRecordStream, T>), flat.GetSetMethod()!);
        var jsonName = char.ToLowerInvariant(nested.Name[0]) + nested.Name.Substring(1);
        return new StreamMetric(nested.Name, jsonName, (e, s) => set(s, read(e, jsonName)), (s, r) => setFlat(r, get(s)));
    }
}

/// <summary>One stream metric: its property name, Graph's name, and how it is read and copied.</summary>
internal sealed class StreamMetric
{
    public StreamMetric(string name, string jsonName, Action<JsonElement, CallRecordMediaStream> read, Action<CallRecordMediaStream, CallRecordStream> copy)
    {
        Name = name;
        JsonName = jsonName;
        Read = read;
        Copy = copy;
    }

    /// <summary>The property name on both output types (and the Export-Csv column).</summary>
    public string Name { get; }
    /// <summary>Graph's property name of the mediaStream.</summary>
    public string JsonName { get; }
    public Action<JsonElement, CallRecordMediaStream> Read { get; }
    public Action<CallRecordMediaStream, CallRecordStream> Copy { get; }
}
