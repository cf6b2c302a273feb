using System.Diagnostics;
using System.Globalization;
using System.Text;
using GraphEmulator;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Bench.Scenarios;

/// <summary>
/// Issue #5: `Get-CallRecord -StartDateTime … -ExpandSession` over a list, one GET per record, against the emulator
/// with latency and Graph's throttles. Records/s at -ThrottleLimit 1, at the default, and with a limit far above
/// what Graph allows, compared with the ceiling the per-app-per-tenant throttle sets.
/// </summary>
public static class ExpandScenario
{
    private sealed record Run(string Label, int ThrottleLimit, int Records, double Seconds, long Requests, int Throttled, int PeakInFlight)
    {
        public double RecordsPerSecond => Records / Seconds;
    }

    public static async Task<ScenarioReport> RunAsync(BenchOptions o)
    {
        var records = o.Records ?? (o.Quick ? 300 : 2000);
        var serialRecords = o.SerialRecords is { } s ? (s == 0 ? records : s) : (o.Quick ? 40 : 300);
        var now = DateTimeOffset.UtcNow;
        now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var limits = Scale(ThrottleLimits.Graph(), o.WindowSeconds);
        // The module paces every connection to Graph's windows; told the scaled ones, it paces to those.
        Environment.SetEnvironmentVariable("CALLRECORDS_GRAPH_CEILINGS", string.Create(CultureInfo.InvariantCulture,
            $"app={limits.PerAppPerTenant.Limit}/{o.WindowSeconds};list={limits.List.Limit}/{o.WindowSeconds};record={limits.PerRecord.Limit}/{o.WindowSeconds}"));
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            Seed = 5, Records = records, Days = 10, Now = now, LatencyMs = o.LatencyMs, Throttle = true, ThrottleLimits = limits,
        });
        var engine = new EngineHost();
        var from = now.AddDays(-11);
        // The core engine has no ConvertTo-SecureString: build the SecureString here.
        var token = new System.Security.SecureString();
        foreach (var ch in host.MintToken()) token.AppendChar(ch);
        token.MakeReadOnly();

        Run Measure(string label, int throttleLimit, int count)
        {
            host.Control.ResetThrottleWindows();
            host.Control.ResetCounters();
            host.ClearRequests();
            var output = engine.Run("""
                $c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -PassThru
                $n = 0
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                Get-CallRecord -Connection $c -StartDateTime $from -PageSize 999 -First $count -ExpandSession -ThrottleLimit $limit | ForEach-Object { $n++ }
                $watch.Stop()
                $n
                $watch.Elapsed.TotalSeconds
                """, new Dictionary<string, object?>
            {
                ["token"] = token, ["endpoint"] = host.BaseAddress, ["from"] = from, ["count"] = count, ["limit"] = throttleLimit,
            });
            var got = Convert.ToInt32(output[0].BaseObject, CultureInfo.InvariantCulture);
            if (got != count) throw new InvalidOperationException($"{label}: expected {count} records, got {got}.");
            var seconds = Convert.ToDouble(output[1].BaseObject, CultureInfo.InvariantCulture);
            var requests = host.Control.RouteCounters.Values.Sum();
            var throttled = host.Requests.Count(r => r.Status == 429);
            var run = new Run(label, throttleLimit, count, seconds, requests, throttled, host.Control.InFlightOf(Routes.GetCallRecord).Max);
            Console.WriteLine($"  {label}: {count} records in {seconds:0.0} s = {run.RecordsPerSecond:0.0}/s, {requests} requests, {throttled} x 429, peak {run.PeakInFlight} in flight");
            return run;
        }

        Measure("warm-up", 8, 20);
        var serial = Measure("ThrottleLimit 1", 1, serialRecords);
        var standard = Measure($"default ({CallRecords.Runtime.FanOut.DefaultThrottleLimit})", CallRecords.Runtime.FanOut.DefaultThrottleLimit, records);
        var wide = Measure("ThrottleLimit 64", 64, records);

        var perSecond = limits.PerAppPerTenant.Limit / limits.PerAppPerTenant.Window.TotalSeconds;
        var requestsPerRecord = (double)(standard.Requests - standard.Throttled) / standard.Records;
        var ceiling = perSecond / requestsPerRecord;

        var md = new StringBuilder();
        md.AppendLine("## ExpandSession over a list (issue #5)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`Get-CallRecord -StartDateTime … -PageSize 999 -ExpandSession -ThrottleLimit N`: {records:N0} records listed and each");
        md.AppendLine(CultureInfo.InvariantCulture, $"expanded with one GET, emulator latency {o.LatencyMs} ms per request, Graph's throttles with every window scaled");
        md.AppendLine(CultureInfo.InvariantCulture, $"to {o.WindowSeconds:0.#} s at the same rate (per app per tenant {limits.PerAppPerTenant.Limit} / {limits.PerAppPerTenant.Window.TotalSeconds:0.#} s = {perSecond:0.#} requests/s,");
        md.AppendLine(CultureInfo.InvariantCulture, $"per record {limits.PerRecord.Limit} / {limits.PerRecord.Window.TotalSeconds:0.#} s, list {limits.List.Limit} / {limits.List.Window.TotalSeconds:0.#} s). ThrottleLimit 1 runs over the first {serialRecords:N0} records");
        md.AppendLine("(one request at a time: its rate does not depend on the count). Run on " + DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".");
        md.AppendLine();
        md.AppendLine("Machine: " + Report.Machine() + ".");
        md.AppendLine();
        md.AppendLine("| run | records | seconds | records/s | requests | 429s | peak in flight | × ThrottleLimit 1 | of ceiling |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in new[] { serial, standard, wide })
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {r.Records:N0} | {r.Seconds:0.0} | {r.RecordsPerSecond:0.0} | {r.Requests:N0} | {r.Throttled:N0} | {r.PeakInFlight} | {r.RecordsPerSecond / serial.RecordsPerSecond:0.0}× | {r.RecordsPerSecond / ceiling:P0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| ceiling | | | {ceiling:0.0} | | | | {ceiling / serial.RecordsPerSecond:0.0}× | 100 % |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"The ceiling is the per-app-per-tenant rate divided by the successful requests one record costs ({requestsPerRecord:0.###}: the");
        md.AppendLine("expanded GET plus the list pages and nested session pages; a 429 does not count against Graph's window). Goal (issue #5): default ≥ 10× ThrottleLimit 1 and ≥ 90 % of the ceiling.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Result: default = **{standard.RecordsPerSecond / serial.RecordsPerSecond:0.0}×** ThrottleLimit 1 and **{standard.RecordsPerSecond / ceiling:P0}** of the ceiling.");
        md.AppendLine();
        md.AppendLine("How: the fan-out (Graph/OrderedFanOut + AdaptiveConcurrencyLimiter) keeps up to -ThrottleLimit GETs in flight; every");
        md.AppendLine("request of the connection waits in its one request budget (Connection/RequestBudget: Graph's windows, each kept 2.5 %");
        md.AppendLine("longer than Graph's, because Graph counts arrivals) and a 429 cuts the concurrency and pauses that window for its");
        md.AppendLine("Retry-After. A limit far above the default gains nothing: the budget, not the concurrency, holds the rate.");
        return new ScenarioReport("expand", md.ToString());
    }

    /// <summary>Every 20-second Graph window shrunk to <paramref name="seconds"/>, its limit scaled so the rate stays.</summary>
    private static ThrottleLimits Scale(ThrottleLimits g, double seconds)
    {
        ThrottleLimit S(ThrottleLimit l) => new(Math.Max(1, (int)Math.Round(l.Limit * seconds / l.Window.TotalSeconds)), TimeSpan.FromSeconds(seconds));
        return g with { PerAppPerTenant = S(g.PerAppPerTenant), List = S(g.List), PerRecord = S(g.PerRecord) };
    }
}
