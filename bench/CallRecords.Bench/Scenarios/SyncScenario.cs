using System.Diagnostics;
using System.Globalization;
using System.Text;
using CallRecords.Models;
using GraphEmulator;

namespace CallRecords.Bench.Scenarios;

/// <summary>
/// Issue #23: Sync-CallRecord's first sync (every record new) against the emulator with 150 ms latency and Graph's
/// throttles, compared with the ceiling those throttles set; the second sync (nothing new: list requests only); how
/// fast the archive is written (records/s of the write transactions alone, fully expanded) without latency; and
/// memory at two record counts.
/// </summary>
public static class SyncScenario
{
    public static async Task<ScenarioReport> RunAsync(BenchOptions o)
    {
        var records = o.Records ?? (o.Quick ? 300 : 2000);
        var now = DateTimeOffset.UtcNow;
        now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var folder = Directory.CreateTempSubdirectory("bench-sync-").FullName;
        var engine = new EngineHost();
        var md = new StringBuilder();
        try
        {
            var limits = ExpandScenarioScale(ThrottleLimits.Graph(), o.WindowSeconds);
            // The connection's request budget paces to Graph's windows; told the scaled ones, it paces to those.
            Environment.SetEnvironmentVariable("CALLRECORDS_GRAPH_CEILINGS", string.Create(CultureInfo.InvariantCulture,
                $"app={limits.PerAppPerTenant.Limit}/{o.WindowSeconds};list={limits.List.Limit}/{o.WindowSeconds};record={limits.PerRecord.Limit}/{o.WindowSeconds}"));
            CallRecordSyncResult first, second;
            double perSecond;
            await using (var host = await EmulatorHost.StartAsync(new EmulatorOptions
            {
                Seed = 23, Records = records, Days = 30, Now = now, LatencyMs = o.LatencyMs, Throttle = true, ThrottleLimits = limits,
            }))
            {
                var db = Path.Combine(folder, "throttled.db");
                first = Sync(engine, host, db, out var throttled);
                Console.WriteLine($"  first sync: {first.Added} records in {first.Duration.TotalSeconds:0.0} s, {first.Requests} requests, {throttled} x 429, writing {first.WriteDuration.TotalSeconds:0.00} s");
                host.Control.ResetThrottleWindows();
                second = Sync(engine, host, db, out _);
                Console.WriteLine($"  second sync: {second.Unchanged} unchanged in {second.Duration.TotalSeconds:0.00} s, {second.Requests} requests");
                perSecond = limits.PerAppPerTenant.Limit / limits.PerAppPerTenant.Window.TotalSeconds;
                var successful = first.Requests - throttled;
                var requestsPerRecord = (double)successful / first.Added;
                var ceiling = perSecond / requestsPerRecord;
                var rate = first.Added / first.Duration.TotalSeconds;

                md.AppendLine("## Sync-CallRecord throughput (issue #23)");
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"A first `Sync-CallRecord -Path x.db` of {records:N0} records (all new: each listed, then read with sessions and segments,");
                md.AppendLine(CultureInfo.InvariantCulture, $"participants_v2 and organizer_v2, three requests, and written in transactions of 100), emulator latency {o.LatencyMs} ms per request,");
                md.AppendLine(CultureInfo.InvariantCulture, $"Graph's throttles with every window scaled to {o.WindowSeconds:0.#} s at the same rate ({perSecond:0.#} requests/s per app per tenant). Run on {DateTimeOffset.UtcNow:yyyy-MM-dd}.");
                md.AppendLine();
                md.AppendLine("Machine: " + Report.Machine() + ".");
                md.AppendLine();
                md.AppendLine("| run | records | seconds | records/s | requests | 429s | writing (s) | of ceiling |");
                md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
                md.AppendLine(CultureInfo.InvariantCulture, $"| first sync (all new) | {first.Added:N0} | {first.Duration.TotalSeconds:0.0} | {rate:0.0} | {first.Requests:N0} | {throttled:N0} | {first.WriteDuration.TotalSeconds:0.00} | {rate / ceiling:P0} |");
                md.AppendLine(CultureInfo.InvariantCulture, $"| second sync (nothing new) | {second.Unchanged:N0} unchanged | {second.Duration.TotalSeconds:0.00} | | {second.Requests:N0} | | {second.WriteDuration.TotalSeconds:0.00} | |");
                md.AppendLine(CultureInfo.InvariantCulture, $"| ceiling | | | {ceiling:0.0} | | | | 100 % |");
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"The ceiling is Graph's per-app-per-tenant rate divided by the successful requests one new record costs ({requestsPerRecord:0.###}: the");
                md.AppendLine("expanded GET, participants_v2, organizer_v2 and its share of the 999-record list pages). Goal: ≥ 90 % of the ceiling for new records.");
                md.AppendLine(CultureInfo.InvariantCulture, $"Result: **{rate / ceiling:P0}** of the ceiling; writing took {first.WriteDuration.TotalSeconds / first.Duration.TotalSeconds:P1} of the run. A sync with nothing new sends the list pages only.");
                md.AppendLine();
            }

            // The archive's own speed: records built in memory first (the emulator's data, mapped and classified as a sync
            // maps them), then only the write transactions are timed.
            md.AppendLine("Writing alone (the emulator's records built and mapped in memory first, as a sync maps them; then only `Upsert`, in");
            md.AppendLine("transactions of 100 records, each with its sessions, segments, classified stream rows and participants, is timed),");
            md.AppendLine("and the managed heap after a full collection, with every record's objects released batch by batch:");
            md.AppendLine();
            md.AppendLine("| records | stream rows | writing seconds | records/s written | stream rows/s | file (MB) | heap after (MB) |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            var backend = new CallRecords.Sdk.Archive.SqliteArchiveBackend();
            foreach (var count in o.Quick ? new[] { 500, 1000 } : new[] { 2000, 8000 })
            {
                var data = GraphEmulator.Data.EmulatorDataSet.Generate(new GraphEmulator.Data.GeneratorOptions { Seed = 23, Records = count, Days = 30, Now = now });
                var db = Path.Combine(folder, $"write-{count}.db");
                using var store = ((CallRecords.Archive.IArchiveBackend)backend).Open(db, forWriting: true);
                var watch = new Stopwatch();
                long streams = 0;
                for (var offset = 0; offset < count; offset += 100)
                {
                    var batch = Enumerable.Range(offset, Math.Min(100, count - offset)).Select(i => Archived(data, i)).ToList();
                    streams += batch.Sum(b => b.Streams.Count);
                    watch.Start();
                    store.Upsert("bench-tenant", batch);
                    watch.Stop();
                }
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var heap = GC.GetTotalMemory(forceFullCollection: true);
                var size = new FileInfo(db).Length + (File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0);
                Console.WriteLine($"  write {count}: {watch.Elapsed.TotalSeconds:0.00} s = {count / watch.Elapsed.TotalSeconds:0} records/s, {streams} streams, heap {heap / 1e6:0.0} MB");
                md.AppendLine(CultureInfo.InvariantCulture, $"| {count:N0} | {streams:N0} | {watch.Elapsed.TotalSeconds:0.00} | {count / watch.Elapsed.TotalSeconds:N0} | {streams / watch.Elapsed.TotalSeconds:N0} | {size / 1e6:0.0} | {heap / 1e6:0.0} |");
            }
            md.AppendLine();
            md.AppendLine("SQLite writes far faster than Graph lets a sync read (the ceiling above), so it is not the bottleneck; the heap after");
            md.AppendLine("the writes does not grow with the record count. A sync holds at most twice -ThrottleLimit expanded records and one");
            md.AppendLine("batch at a time; what grows with the archive is only its id → version map (one entry per archived record).");
            return new ScenarioReport("sync", md.ToString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static CallRecordSyncResult Sync(EngineHost engine, EmulatorHost host, string db, out int throttled)
    {
        host.ClearRequests();
        var token = new System.Security.SecureString();
        foreach (var ch in host.MintToken()) token.AppendChar(ch);
        token.MakeReadOnly();
        var output = engine.Run("""
            $c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru
            Sync-CallRecord -Path $db -Connection $c
            """, new Dictionary<string, object?> { ["token"] = token, ["endpoint"] = host.BaseAddress, ["db"] = db });
        throttled = host.Requests.Count(r => r.Status == 429);
        return output.Select(p => p.BaseObject).OfType<CallRecordSyncResult>().Single();
    }

    /// <summary>Record <paramref name="i"/> of the data set as a sync archives it (JSON kept, mapped, streams classified).</summary>
    private static CallRecords.Archive.ArchivedRecord Archived(GraphEmulator.Data.EmulatorDataSet data, int i)
    {
        using var rdoc = System.Text.Json.JsonDocument.Parse(data.BuildCallRecord(i).ToJsonString());
        using var sdoc = System.Text.Json.JsonDocument.Parse(data.BuildSessions(i).ToJsonString());
        using var pdoc = System.Text.Json.JsonDocument.Parse(data.BuildParticipants(i).ToJsonString());
        var organizerJson = data.BuildOrganizer(i)?.ToJsonString();
        var record = CallRecords.Models.Mapping.CallRecordMapper.MapCallRecord(rdoc.RootElement);
        var sessions = new List<CallRecords.Archive.ArchivedSession>();
        foreach (var s in sdoc.RootElement.EnumerateArray())
        {
            var session = CallRecords.Models.Mapping.CallRecordMapper.MapSession(s, record.Id);
            var segments = s.GetProperty("segments").EnumerateArray()
                .Select(g => new CallRecords.Archive.ArchivedSegment(CallRecords.Models.Mapping.CallRecordMapper.MapSegment(g, record.Id, session.Id), CallRecords.Archive.ArchiveRecordReader.Strip(g))).ToList();
            session.Segments = new ModelList<CallRecordSegment>(segments.Select(g => g.Segment).ToList());
            sessions.Add(new CallRecords.Archive.ArchivedSession(session, CallRecords.Archive.ArchiveRecordReader.Strip(s, "segments"), segments));
        }
        record.Sessions = new ModelList<CallRecordSession>(sessions.Select(s => s.Session).ToList());
        var participants = pdoc.RootElement.EnumerateArray()
            .Select(p => new CallRecords.Archive.ArchivedParticipant(CallRecords.Models.Mapping.CallRecordMapper.MapParticipant(p, record.Id), CallRecords.Archive.ArchiveRecordReader.Strip(p))).ToList();
        CallRecords.Archive.ArchivedParticipant? organizer = null;
        if (organizerJson is not null)
        {
            using var odoc = System.Text.Json.JsonDocument.Parse(organizerJson);
            organizer = new CallRecords.Archive.ArchivedParticipant(CallRecords.Models.Mapping.CallRecordMapper.MapParticipant(odoc.RootElement, record.Id), CallRecords.Archive.ArchiveRecordReader.Strip(odoc.RootElement));
        }
        return new CallRecords.Archive.ArchivedRecord(record, CallRecords.Archive.ArchiveRecordReader.Strip(rdoc.RootElement), sessions, participants, organizer,
            CallRecords.Models.Mapping.StreamRows.FromSessions(record.Sessions).ToList());
    }

    private static ThrottleLimits ExpandScenarioScale(ThrottleLimits g, double seconds)
    {
        ThrottleLimit S(ThrottleLimit l) => new(Math.Max(1, (int)Math.Round(l.Limit * seconds / l.Window.TotalSeconds)), TimeSpan.FromSeconds(seconds));
        return g with { PerAppPerTenant = S(g.PerAppPerTenant), List = S(g.List), PerRecord = S(g.PerRecord) };
    }
}
