using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Connection;
using CallRecords.Graph;
using GraphEmulator;

namespace CallRecords.Bench.Scenarios;

/// <summary>
/// Issue #6: PSTN rows/s over 180 days at the PSTN-type throttle, against the emulator's ceiling. Runs the module's
/// own read path (LogReader: 90-day windows, ordered concurrent fan-out, adaptive limiter, page streamer, mapping)
/// without the PowerShell pipeline, three times: throttle off (what the client and the emulator manage on loopback),
/// then throttled at the PSTN ceiling with the client's pacing at the same budget. The throttled ceiling is
/// (requests per window × 1,000 rows) / window after an initial burst of one window's worth of requests.
/// Quick mode scales the budget down 10× in both count and window (same 3.33 requests/s) and the data 10×.
/// </summary>
public static class PstnScenario
{
    public sealed record Measurement(string Name, long Rows, long Requests, long Throttled, TimeSpan Elapsed, double CeilingRowsPerSecond)
    {
        public double RowsPerSecond => Rows / Math.Max(Elapsed.TotalSeconds, 1e-9);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0}: {1:N0} rows in {2:N1} s = {3:N0} rows/s over {4} requests ({5} answered 429); ceiling {6}",
            Name, Rows, Elapsed.TotalSeconds, RowsPerSecond, Requests, Throttled,
            double.IsPositiveInfinity(CeilingRowsPerSecond) ? "none" : CeilingRowsPerSecond.ToString("N0", CultureInfo.InvariantCulture) + " rows/s");
    }

    /// <summary>The measurements as the bench runner's result. Printed only: the PSTN section of docs/performance.md
    /// is kept by hand.</summary>
    public static async Task<ScenarioReport> RunAsync(BenchOptions options)
    {
        var results = await MeasureAsync(options.Quick).ConfigureAwait(false);
        return new ScenarioReport("pstn", string.Join(Environment.NewLine, results.Select(r => r.ToString())), Persist: false);
    }

    public static async Task<IReadOnlyList<Measurement>> MeasureAsync(bool quick, CancellationToken cancellationToken = default)
    {
        var scale = quick ? 10 : 1;
        var budget = new ThrottleLimit(200 / scale, TimeSpan.FromSeconds(60.0 / scale));
        // One function on its own may spend only 50 of those 200 per 60 s (issue #19): that is the ceiling here.
        var perFunction = new ThrottleLimit(50 / scale, TimeSpan.FromSeconds(60.0 / scale));
        var rows = 150_000 / scale; // enough requests to spend the per-function budget three times over
        var now = DateTimeOffset.UtcNow;
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var options = new EmulatorOptions { Seed = 6, Records = 10, Days = 2, LogRows = rows, LogDays = 180, Now = now, Throttle = false };
        await using var host = await EmulatorHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
        var results = new List<Measurement>();

        // Throttle off: the loopback ceiling of client + emulator, 4 windows' worth of concurrency (2 windows here).
        // The module's budget is told ceilings far above what loopback can do, so only client and emulator limit.
        var unpaced = Environment.GetEnvironmentVariable(RequestCeilings.Variable);
        Environment.SetEnvironmentVariable(RequestCeilings.Variable, "app=1000000/1;pstn=1000000/1;function=1000000/1");
        try
        {
            results.Add(await RunOnceAsync(host, "throttle off, -ThrottleLimit 4", 4, double.PositiveInfinity, now, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RequestCeilings.Variable, unpaced);
        }

        host.Control.ThrottleLimits = ThrottleLimits.Graph() with { PstnType = budget, PstnPerFunction = perFunction };
        host.Control.ThrottleEnabled = true;
        var ceiling = Math.Min(budget.Limit / budget.Window.TotalSeconds, perFunction.Limit / perFunction.Window.TotalSeconds) * 1000.0;
        // The module's connection budget paces to the same ceilings, told the scaled ones (read when it connects).
        var before = Environment.GetEnvironmentVariable(RequestCeilings.Variable);
        Environment.SetEnvironmentVariable(RequestCeilings.Variable, string.Create(CultureInfo.InvariantCulture,
            $"pstn={budget.Limit}/{budget.Window.TotalSeconds};function={perFunction.Limit}/{perFunction.Window.TotalSeconds}"));
        try
        {
            var label = $"PSTN throttle {budget.Limit}/{budget.Window.TotalSeconds:0.#} s ({perFunction.Limit} per function), client paced";
            results.Add(await RunOnceAsync(host, label + ", -ThrottleLimit 4", 4, ceiling, now, cancellationToken).ConfigureAwait(false));
            host.Control.ResetThrottleWindows();
            results.Add(await RunOnceAsync(host, label + ", -ThrottleLimit 1", 1, ceiling, now, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RequestCeilings.Variable, before);
        }
        return results;
    }

    private static async Task<Measurement> RunOnceAsync(EmulatorHost host, string name, int concurrency, double ceiling,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        host.ClearRequests();
        host.Control.ResetCounters();
        var token = new SecureString();
        foreach (var c in host.MintToken()) token.AppendChar(c);
        token.MakeReadOnly();
        var connection = await CallRecordConnection.ConnectAsync(new ConnectionSettings(host.BaseAddress), new AccessTokenCredentialProvider(token), cancellationToken).ConfigureAwait(false);
        try
        {
            var limiter = new AdaptiveConcurrencyLimiter(concurrency);
            var reader = new LogReader(connection.Session.CreateStreamer(limiter.Observe(null)));
            long count = 0;
            var watch = Stopwatch.StartNew();
            await foreach (var page in reader.ReadAsync(LogFunctions.PstnCalls, now.AddDays(-180), now, concurrency, limiter, cancellationToken).ConfigureAwait(false))
                count += page.Items.Count;
            watch.Stop();
            var log = host.Requests.Where(r => r.Route == Routes.GetPstnCalls).ToList();
            return new Measurement(name, count, log.Count, log.Count(r => r.Status == 429), watch.Elapsed, ceiling);
        }
        finally
        {
            connection.Session.Dispose();
        }
    }
}
