using System.Globalization;
using System.Xml;

namespace GraphEmulator.Data;

/// <summary>Deterministic building blocks: stable hashing (never string.GetHashCode, which is randomized per
/// process), GUIDs derived from (seed, stream, index) and Graph's wire formats.</summary>
internal static class Det
{
    // Stream tags keep the hash spaces of different kinds of things apart.
    internal const int RecordId = 1, RecordPlan = 2, RecordBody = 3, SessionId = 4, SessionBody = 5, SegmentId = 6,
        PoolUser = 7, PoolNames = 8, Guest = 9, Acs = 10, Spool = 11, App = 12, AdminUnit = 13, LogTimes = 14,
        LogId = 15, LogBody = 16, Organizer = 17, RecordTimes = 18, NoAudio = 19;

    internal static ulong Mix(ulong z)
    {
        // SplitMix64 finaliser: good avalanche, so neighbouring indexes give unrelated values.
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    internal static ulong Hash(int seed, int stream, long a, long b = 0, long c = 0)
    {
        var h = Mix((ulong)(uint)seed ^ ((ulong)(uint)stream << 32));
        h = Mix(h ^ (ulong)a);
        h = Mix(h ^ (ulong)b);
        return Mix(h ^ (ulong)c);
    }

    internal static Random Rng(int seed, int stream, long a, long b = 0, long c = 0) =>
        new((int)(Hash(seed, stream, a, b, c) & 0x7FFFFFFF));

    /// <summary>Uniform in [0, 1) from a hash.</summary>
    internal static double Unit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));

    internal static string Guid(int seed, int stream, long a, long b = 0)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, Hash(seed, stream, a, b, 1));
        BitConverter.TryWriteBytes(bytes[8..], Hash(seed, stream, a, b, 2));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 layout, as Graph's ids look
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    /// <summary>UTC with up to 7 fractional digits, trailing zeros dropped (Graph's own style).</summary>
    internal static string Time(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 duration as Graph sends it, e.g. PT0.016S.</summary>
    internal static string Duration(int milliseconds) => XmlConvert.ToString(TimeSpan.FromMilliseconds(milliseconds));

    internal static double Range(this Random r, double min, double max) => min + r.NextDouble() * (max - min);

    /// <summary>Edm.Single values: rounded so the JSON looks like Graph's (e.g. 0.01381693).</summary>
    internal static double Single(double v, int digits = 6) => Math.Round(v, digits);

    internal static T Pick<T>(this Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];

    internal static bool Chance(this Random r, double p) => r.NextDouble() < p;

    internal static string Digits(Random r, int count)
    {
        var c = new char[count];
        for (var i = 0; i < count; i++) c[i] = (char)('0' + r.Next(10));
        return new string(c);
    }
}
