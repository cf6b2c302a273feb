using System.Globalization;

namespace CallRecords.Bench;

/// <summary>Command line: --scenario NAME[,NAME] (default: all), --quick (small and fast, for a smoke run),
/// --no-write (print only, leave docs/performance.md alone), plus scenario knobs.</summary>
public sealed class BenchOptions
{
    public List<string> Scenarios { get; } = new();
    public bool Quick { get; private set; }
    public bool Write { get; private set; } = true;
    /// <summary>Records listed and expanded (expand scenario).</summary>
    public int? Records { get; private set; }
    /// <summary>Records for the ThrottleLimit 1 run (serial is slow; its rate does not depend on the count). 0 = all.</summary>
    public int? SerialRecords { get; private set; }
    public int LatencyMs { get; private set; } = 150;
    /// <summary>Graph's throttle windows are scaled to this many seconds, each ceiling keeping its rate.</summary>
    public double WindowSeconds { get; private set; } = 5;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a.ToLowerInvariant())
            {
                case "--scenario": o.Scenarios.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--quick": o.Quick = true; break;
                case "--no-write": o.Write = false; break;
                case "--records": o.Records = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--serial-records": o.SerialRecords = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--latency-ms": o.LatencyMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--window-seconds": o.WindowSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "-h" or "--help":
                    throw new ArgumentException("usage: CallRecords.Bench [--scenario expand,pstn] [--quick] [--no-write] [--records N] [--serial-records N] [--latency-ms N] [--window-seconds S]");
                default: throw new ArgumentException($"Unknown option {a}.");
            }
        }
        return o;
    }
}
