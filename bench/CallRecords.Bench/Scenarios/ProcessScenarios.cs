using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using GraphEmulator;

namespace CallRecords.Bench.Scenarios;

/// <summary>
/// Issue #9 S4 (memory) and S6 (cold start). Each measurement runs in a fresh child process of this bench (it re-invokes
/// itself with a "-child" scenario) so peaks and start-up costs are its own; the emulator stays in the parent, so the
/// child holds only the engine and the module.
/// </summary>
public static class ProcessScenarios
{
    public static async Task<ScenarioReport> MemoryAsync(BenchOptions o)
    {
        var small = o.Quick ? 2_000 : 10_000;
        var large = o.Quick ? 20_000 : 100_000;
        var now = BenchSupport.MinuteNow();
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 9, Records = large + 1000, Days = 30, Now = now, Throttle = false });
        // A few more records than the large run takes, so -First N always fills.
        var env = Environment(host, now);

        Dictionary<string, double> Child(int n)
        {
            var r = BenchSupport.RunChild(new[] { "--scenario", "memory-child", "--records", n.ToString(CultureInfo.InvariantCulture), "--no-write" }, env);
            if ((int)r["count"] != n) throw new InvalidOperationException($"memory child streamed {r["count"]} of {n} records.");
            Console.WriteLine($"  {n:N0} records: peak working set {r["peakMiB"]:0.0} MiB (before streaming {r["beforeMiB"]:0.0} MiB), {r["seconds"]:0.0} s");
            return r;
        }
        var a = Child(small);
        var b = Child(large);
        var diff = b["peakMiB"] - a["peakMiB"];

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## S4 memory: streaming {small:N0} vs {large:N0} records (issue #9)");
        md.AppendLine();
        md.AppendLine("`Get-CallRecord -StartDateTime … -PageSize 999 -First N` in the hosted engine, every object consumed and dropped (the");
        md.AppendLine("equivalent of `| Out-Null`), each N in its own fresh child process; the emulator runs in the parent, so the peak is the");
        md.AppendLine(CultureInfo.InvariantCulture, $"engine's and the module's alone (Process.PeakWorkingSet64, the console's default workstation GC). Run on {DateTimeOffset.UtcNow:yyyy-MM-dd}.");
        md.AppendLine();
        md.AppendLine("Machine: " + Report.Machine() + ".");
        md.AppendLine();
        md.AppendLine("| records | seconds | working set after import and connect (MiB) | peak working set (MiB) | managed heap after (MiB) |");
        md.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var (n, r) in new[] { (small, a), (large, b) })
            md.AppendLine(CultureInfo.InvariantCulture, $"| {n:N0} | {r["seconds"]:0.0} | {r["beforeMiB"]:0.0} | {r["peakMiB"]:0.0} | {r["heapMiB"]:0.0} |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Goal: the difference ≤ 30 MB. Result: **{diff:+0.0;-0.0} MiB** ({diff * 1.048576:0.0} MB): {(diff * 1.048576 <= 30 ? $"met, {30 - diff * 1.048576:0.0} MB to spare" : $"not met, {diff * 1.048576 - 30:0.0} MB over")}. The managed heap");
        md.AppendLine("after the run is about the same for both counts, so no record outlives its trip through the pipeline: the peak");
        md.AppendLine("difference is garbage between collections, not records kept.");
        return new ScenarioReport("memory", md.ToString());
    }

    public static Task<ScenarioReport> MemoryChildAsync(BenchOptions o)
    {
        var n = o.Records ?? throw new ArgumentException("memory-child needs --records.");
        var (endpoint, token, from) = FromEnvironment();
        using var rs = BenchSupport.ConnectedRunspace(endpoint, token);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var before = self.WorkingSet64;
        var (count, seconds) = BenchSupport.Stream(rs, "Get-CallRecord -Connection $c -StartDateTime $from -PageSize 999 -First $n",
            new Dictionary<string, object?> { ["from"] = from, ["n"] = n });
        self.Refresh();
        BenchSupport.PrintResult(new[]
        {
            ("count", (double)count), ("seconds", seconds), ("beforeMiB", before / 1048576.0), ("peakMiB", self.PeakWorkingSet64 / 1048576.0),
            ("heapMiB", GC.GetTotalMemory(false) / 1048576.0),
        });
        return Task.FromResult(new ScenarioReport("memory-child", string.Empty, Persist: false));
    }

    public static async Task<ScenarioReport> ColdStartAsync(BenchOptions o)
    {
        var runs = o.Quick ? 2 : 5;
        var now = BenchSupport.MinuteNow();
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 9, Records = 1000, Days = 30, Now = now, Throttle = false });
        var env = Environment(host, now);
        var results = new List<Dictionary<string, double>>();
        for (var i = 0; i < runs; i++)
        {
            var r = BenchSupport.RunChild(new[] { "--scenario", "cold-start-child", "--no-write" }, env);
            Console.WriteLine($"  run {i + 1}: engine {r["engine"]:0.000} s, Import-Module {r["import"]:0.000} s, + first Get-CallRecord {r["first"]:0.000} s");
            results.Add(r);
        }
        double Median(string key)
        {
            var v = results.Select(r => r[key]).Order().ToList();
            return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
        }
        var engine = Median("engine");
        var import = Median("import");
        var first = Median("first");

        var md = new StringBuilder();
        md.AppendLine("## S6 cold start (issue #9)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Each run is a fresh child process of the bench (median of {runs}): open a runspace on InitialSessionState.CreateDefault2()");
        md.AppendLine("and run one trivial command (the engine, as a shell's prompt has), then time `Import-Module out/CallRecords/CallRecords.psd1`, then `Connect-CallRecordGraph -AccessToken … -PassThru`");
        md.AppendLine("and `Get-CallRecord -StartDateTime … -First 1` against the emulator (no latency) up to the first record. Run on " + DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".");
        md.AppendLine();
        md.AppendLine("Machine: " + Report.Machine() + ".");
        md.AppendLine();
        md.AppendLine("| step | seconds (median) |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| engine: runspace open + first command (not the module's) | {engine:0.000} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Import-Module | {import:0.000} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Import-Module + connect + first Get-CallRecord | {import + first:0.000} |");
        md.AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"Goal: import ≤ 0.5 s. Result: **{import:0.000} s**: {(import <= 0.5 ? $"met with {0.5 - import:0.000} s to spare" : $"not met, {import - 0.5:0.000} s over")}. Runs: ");
        md.AppendLine(string.Join("; ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r["import"]:0.000} / {r["import"] + r["first"]:0.000}"))) + " s (import / import + first record).");
        return new ScenarioReport("cold-start", md.ToString());
    }

    public static Task<ScenarioReport> ColdStartChildAsync(BenchOptions o)
    {
        var (endpoint, token, from) = FromEnvironment();
        var watch = Stopwatch.StartNew();
        using var rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        rs.Open();
        using (var ps = PowerShell.Create())
        {
            // The engine's first pipeline (compiling its own cmdlets) costs whoever runs first; in a real shell the
            // prompt has paid it before Import-Module, so it is counted with the engine, not the module.
            ps.Runspace = rs;
            ps.AddScript("$null = Get-Module").Invoke();
        }
        var engine = watch.Elapsed.TotalSeconds;

        using (var ps = PowerShell.Create())
        {
            ps.Runspace = rs;
            watch.Restart();
            ps.AddCommand("Import-Module").AddParameter("Name", EngineHost.ModuleManifest).Invoke();
            BenchSupport.ThrowOnErrors(ps);
        }
        var import = watch.Elapsed.TotalSeconds;

        rs.SessionStateProxy.SetVariable("token", BenchSupport.Secure(token));
        rs.SessionStateProxy.SetVariable("endpoint", endpoint);
        rs.SessionStateProxy.SetVariable("from", from);
        int count;
        using (var ps = PowerShell.Create())
        {
            ps.Runspace = rs;
            watch.Restart();
            count = ps.AddScript("$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -PassThru -NoDefault\nGet-CallRecord -Connection $c -StartDateTime $from -First 1").Invoke().Count;
            BenchSupport.ThrowOnErrors(ps);
        }
        var first = watch.Elapsed.TotalSeconds;
        if (count != 1) throw new InvalidOperationException($"Expected one record, got {count}.");
        BenchSupport.PrintResult(new[] { ("engine", engine), ("import", import), ("first", first) });
        return Task.FromResult(new ScenarioReport("cold-start-child", string.Empty, Persist: false));
    }

    private static Dictionary<string, string> Environment(EmulatorHost host, DateTimeOffset now) => new()
    {
        [BenchSupport.TokenVariable] = host.MintToken(),
        [BenchSupport.EndpointVariable] = host.BaseAddress.ToString(),
        [BenchSupport.FromVariable] = now.AddDays(-31).ToString("O", CultureInfo.InvariantCulture),
    };

    private static (Uri Endpoint, string Token, DateTimeOffset From) FromEnvironment()
    {
        string Get(string name) => System.Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set (child scenarios are started by their parent).");
        return (new Uri(Get(BenchSupport.EndpointVariable)), Get(BenchSupport.TokenVariable),
            DateTimeOffset.Parse(Get(BenchSupport.FromVariable), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }
}
