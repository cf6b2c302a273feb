using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CallRecords.Models.Mapping;
using GraphEmulator.Data;
using Microsoft.Kiota.Serialization.Json;
using KiotaCallRecord = Microsoft.Graph.Models.CallRecords.CallRecord;

namespace CallRecords.Bench.Scenarios;

/// <summary>
/// Issue #9 S1, parse CPU: fully expanded record bodies (the GET-by-id shape with sessions, their segments,
/// participants_v2 and organizer_v2, built by the emulator's generator) parsed three ways on one thread — our mapper
/// (JsonDocument + CallRecordMapper), a JsonDocument walk that touches every value (the floor), and Microsoft.Graph's
/// Kiota models (JsonDocument + JsonParseNode.GetObjectValue). All three start from the same UTF-8 bytes.
/// </summary>
public static class ParseScenario
{
    public static Task<ScenarioReport> RunAsync(BenchOptions o)
    {
        var count = o.Quick ? 200 : 1000;
        var seconds = o.Quick ? 0.5 : 3.0;
        var data = EmulatorDataSet.Generate(new GeneratorOptions { Seed = 9, Records = count, Days = 30, Now = BenchSupport.MinuteNow() });
        var bodies = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Expanded(data, i).ToJsonString())).ToArray();
        var bytes = bodies.Sum(b => (long)b.Length);

        var sink = 0L;
        void Ours(byte[] b)
        {
            using var doc = JsonDocument.Parse(b);
            sink += CallRecordMapper.MapCallRecord(doc.RootElement).Sessions?.Count ?? 0;
        }
        void Floor(byte[] b)
        {
            using var doc = JsonDocument.Parse(b);
            sink += Walk(doc.RootElement);
        }
        void Kiota(byte[] b)
        {
            using var doc = JsonDocument.Parse(b);
            sink += new JsonParseNode(doc.RootElement).GetObjectValue(KiotaCallRecord.CreateFromDiscriminatorValue)?.Sessions?.Count ?? 0;
        }

        // Sanity: the three see the same sessions, so none is skipping work.
        var check = bodies[0];
        sink = 0; Ours(check); var oursSessions = sink;
        sink = 0; Kiota(check); var kiotaSessions = sink;
        if (oursSessions != kiotaSessions) throw new InvalidOperationException($"Mapper and Kiota disagree on sessions: {oursSessions} vs {kiotaSessions}.");

        var results = new List<(string Label, double PerSecond)>();
        foreach (var (label, parse) in new (string, Action<byte[]>)[] { ("JsonDocument walk (floor)", Floor), ("ours: CallRecordMapper", Ours), ("Microsoft.Graph Kiota models", Kiota) })
        {
            foreach (var b in bodies) parse(b); // warm-up (JIT, tiering)
            GC.Collect();
            var done = 0;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed.TotalSeconds < seconds)
                foreach (var b in bodies) { parse(b); done++; }
            watch.Stop();
            results.Add((label, done / watch.Elapsed.TotalSeconds));
            Console.WriteLine($"  {label}: {done / watch.Elapsed.TotalSeconds:N0} records/s");
        }
        var floor = results[0].PerSecond;
        var ours = results[1].PerSecond;
        var kiota = results[2].PerSecond;

        var md = new StringBuilder();
        md.AppendLine("## S1 parse CPU per fully expanded record (issue #9)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{count:N0} expanded record bodies from the emulator's generator (the GET-by-id shape: record, sessions with");
        md.AppendLine(CultureInfo.InvariantCulture, $"their segments, participants_v2, organizer_v2; {bytes / count / 1024.0:N1} KiB each on average), each parsed from UTF-8 bytes");
        md.AppendLine(CultureInfo.InvariantCulture, $"on one thread, looping for {seconds:0.#} s after a warm-up pass. Run on {DateTimeOffset.UtcNow:yyyy-MM-dd}. Machine: {Report.Machine()}.");
        md.AppendLine();
        md.AppendLine("| parser | records/s | µs/record | × Kiota |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var (label, perSecond) in results)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {perSecond:N0} | {1e6 / perSecond:N0} | {perSecond / kiota:0.00}× |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Goal: ours ≥ 3× Kiota. Result: **{ours / kiota:0.00}×** ({(ours / kiota >= 3 ? "met" : "not met")}); ours runs at {ours / floor:P0} of the floor's rate.");
        md.AppendLine("The floor parses the document and reads every value (strings materialised, numbers decoded) but builds no objects.");
        return Task.FromResult(new ScenarioReport("parse", md.ToString()));
    }

    /// <summary>The body GET /communications/callRecords/{id}?$expand=sessions($expand=segments) would return, with
    /// participants_v2 and organizer_v2 inline as well: every part our mapper and Kiota's model read.</summary>
    private static JsonObject Expanded(EmulatorDataSet data, int index)
    {
        var record = data.BuildCallRecord(index);
        record["organizer_v2"] = data.BuildOrganizer(index);
        record["sessions"] = data.BuildSessions(index);
        record["participants_v2"] = data.BuildParticipants(index);
        return record;
    }

    private static long Walk(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                long n = 0;
                foreach (var p in e.EnumerateObject()) n += p.Name.Length + Walk(p.Value);
                return n;
            case JsonValueKind.Array:
                long m = 0;
                foreach (var item in e.EnumerateArray()) m += Walk(item);
                return m;
            case JsonValueKind.String: return e.GetString()!.Length;
            case JsonValueKind.Number: return e.TryGetInt64(out var l) ? l & 1 : (long)e.GetDouble();
            default: return 1;
        }
    }
}
