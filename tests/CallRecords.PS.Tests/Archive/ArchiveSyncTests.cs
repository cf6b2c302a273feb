using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CallRecords.PS.Tests.Archive;

/// <summary>An emulator of its own (1,500 records) and the module hosted from out/CallRecords.</summary>
public sealed class ArchiveFixture : IAsyncLifetime
{
    public DateTimeOffset Now { get; } = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks - DateTimeOffset.UtcNow.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    public EmulatorHost Host { get; private set; } = null!;
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "archive-sync-" + Guid.NewGuid().ToString("n"));
    private InitialSessionState _state = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        Host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 123, Records = 1500, Days = 30, Now = Now, Throttle = false, LogRows = 2000, LogDays = 100 });
        _state = InitialSessionState.CreateDefault2();
        _state.ImportPSModule(new[] { EngineFixture.ModuleManifest });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    public PowerShell Shell(IDictionary<string, object?>? variables = null)
    {
        var ps = PowerShell.Create(_state);
        ps.Runspace.SessionStateProxy.SetVariable("token", EngineFixture.Secure(Host.MintToken()));
        ps.Runspace.SessionStateProxy.SetVariable("endpoint", Host.BaseAddress);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>()) ps.Runspace.SessionStateProxy.SetVariable(name, value);
        return ps;
    }

    /// <summary>Runs the script after connecting $graph (a Graph connection that is not the default).</summary>
    public PsRun Run(string script, IDictionary<string, object?>? variables = null)
    {
        using var ps = Shell(variables);
        ps.AddScript("$graph = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru -MaxRetry 8 -RetryDelay 0.02\n" + script);
        var output = ps.Invoke();
        return new PsRun(output, ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList());
    }
}

[CollectionDefinition(Name)]
public sealed class ArchiveCollection : ICollectionFixture<ArchiveFixture>
{
    public const string Name = "archive";
}

/// <summary>
/// Sync-CallRecord against the emulator in-process: version-aware counts with ground truth, what was expanded proven
/// from the request log, the clock moving past Graph's 30 days, logs, several tenants in one file, and a sync stopped
/// twice under faults ending with the same rows as a clean one (every table compared row by row).
/// </summary>
[Collection(ArchiveCollection.Name)]
public sealed class ArchiveSyncTests
{
    private readonly ArchiveFixture _f;

    public ArchiveSyncTests(ArchiveFixture fixture) => _f = fixture;

    private string NewPath(string name) => Path.Combine(_f.Folder, name + "-" + Guid.NewGuid().ToString("n").Substring(0, 6) + ".db");

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    private IReadOnlyList<string> ExpandedIds() =>
        _f.Host.Requests.Where(r => r.Route == Routes.GetCallRecord && r.Status == 200 && r.PathAndQuery.Contains("expand=sessions", StringComparison.Ordinal))
            .Select(r => r.RecordId!).ToList();

    private static CallRecordSyncResult Single(PsRun run)
    {
        Assert.True(run.Errors.Count == 0, string.Join("\n", run.Errors.Select(e => e.ToString())));
        return Assert.Single(run.Objects<CallRecordSyncResult>());
    }

    [Fact]
    public void SyncsVersionAwareAndTheArchiveOutlivesGraphsThirtyDays()
    {
        var host = _f.Host;
        var db = NewPath("flow");
        var vars = Vars(("db", db));
        var initial = host.Truth.Records();
        Assert.Equal(1500, initial.Count);

        host.ClearRequests();
        var first = Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph", vars));
        Assert.Equal((1500L, 1500L, 0L, 0L, 1500L), (first.Listed, first.Added, first.Updated, first.Unchanged, first.Expanded));
        TruthAssert.Equal(initial, ExpandedIds(), "records expanded by the first sync", ordered: false);
        Assert.Equal(host.Requests.Count, first.Requests);
        var read = _f.Run("$a = Open-CallRecordArchive -Path $db -NoDefault; Get-CallRecord -Connection $a", vars);
        Assert.Empty(read.Errors);
        TruthAssert.Equal(initial, read.Objects<CallRecord>().Select(r => r.Id), "the archive after the first sync");

        // Poor streams of every record, against the data set's designed classes.
        var expectedPoor = initial.SelectMany(id => host.Data.TryGetIndex(id, out var i) ? host.Data.Streams(i) : throw new InvalidOperationException(id))
            .Where(s => s.Quality == "Poor").Select(s => $"{s.CallRecordId}/{s.SessionId}/{s.SegmentId}/{s.StreamId}/{s.StreamDirection}").ToList();
        var poor = _f.Run("$a = Open-CallRecordArchive -Path $db -NoDefault; Get-CallRecord -Connection $a | Get-CallRecordStream -Connection $a -PoorOnly", vars);
        Assert.Empty(poor.Errors);
        Assert.NotEmpty(expectedPoor);
        TruthAssert.Equal(expectedPoor, poor.Objects<CallRecordStream>().Select(s => $"{s.CallRecordId}/{s.SessionId}/{s.SegmentId}/{s.StreamId}/{s.StreamDirection}"), "poor streams of the archive");

        var reissued = host.Reissue(50, seed: 9);
        var late = host.AddLateArrivals(20);
        var afterChanges = host.Truth.Records();
        host.ClearRequests();
        var second = Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph", vars));
        Assert.Equal((1520L, 20L, 50L, 1450L, 70L), (second.Listed, second.Added, second.Updated, second.Unchanged, second.Expanded));
        TruthAssert.Equal(reissued.Concat(late), ExpandedIds(), "records expanded by the second sync", ordered: false);
        foreach (var id in reissued.Concat(late))
        {
            var got = _f.Run("$a = Open-CallRecordArchive -Path $db -NoDefault; Get-CallRecord -Connection $a -Id $id -ExpandSession", Vars(("db", db), ("id", id)));
            var record = Assert.Single(got.Objects<CallRecord>());
            Assert.Equal(long.Parse(host.RecordItem(id)!["version"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture), record.Version);
            TruthAssert.Equal(host.Truth.Sessions(id)!.SelectMany(s => s.SegmentIds), record.Sessions!.SelectMany(s => s.Segments!.Select(g => g.Id)), $"segments of {id}");
        }

        host.ClearRequests();
        var third = Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph", vars));
        Assert.Equal((0L, 0L, 0L, 1520L), (third.Expanded, third.Added, third.Updated, third.Unchanged));
        Assert.All(host.Requests, r => Assert.Equal(Routes.ListCallRecords, r.Route));
        Assert.Equal(2, host.Requests.Count);

        host.SetClock(_f.Now.AddDays(20));
        try
        {
            var retained = host.Truth.Records();
            Assert.InRange(retained.Count, 1, afterChanges.Count - 1);
            var both = _f.Run("$a = Open-CallRecordArchive -Path $db -NoDefault; ,@(Get-CallRecord -Connection $graph); ,@(Get-CallRecord -Connection $a)", vars);
            Assert.Empty(both.Errors);
            var online = ((object[])both.Output[0].BaseObject).Select(o => ((CallRecord)((PSObject)o).BaseObject).Id);
            var archived = ((object[])both.Output[1].BaseObject).Select(o => ((CallRecord)((PSObject)o).BaseObject).Id);
            TruthAssert.Equal(retained, online, "Graph after the clock moved 20 days");
            TruthAssert.Equal(afterChanges, archived, "the archive after the clock moved 20 days");
        }
        finally
        {
            host.SetClock(_f.Now);
        }
    }

    [Fact]
    public async Task KeepsSeveralTenantsApartInOneFile()
    {
        var host = _f.Host;
        var other = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        var data = await host.AddTenantAsync(other, seed: 77, records: 40);
        var db = NewPath("tenants");
        // A start a day back keeps the default tenant's part small.
        var from = _f.Now.AddDays(-1);
        var run = _f.Run(@"
            Sync-CallRecord -Path $db -Connection $graph -StartDateTime $from
            $b = Connect-CallRecordGraph -AccessToken $otherToken -GraphEndpoint $endpoint -NoDefault -PassThru
            Sync-CallRecord -Path $db -Connection $b",
            Vars(("db", db), ("from", from), ("otherToken", EngineFixture.Secure(host.MintToken(other)))));
        Assert.Empty(run.Errors);
        var results = run.Objects<CallRecordSyncResult>();
        Assert.Equal(2, results.Count);
        Assert.Equal(40L, results[1].Added);
        Assert.Equal(other, results[1].TenantId);

        var refused = _f.Run("Open-CallRecordArchive -Path $db -NoDefault", Vars(("db", db)));
        Assert.Equal("ArchiveTenantRequired,CallRecords.Cmdlets.OpenCallRecordArchiveCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        var mine = _f.Run("$a = Open-CallRecordArchive -Path $db -TenantId $t -NoDefault; Get-CallRecord -Connection $a", Vars(("db", db), ("t", results[0].TenantId)));
        TruthAssert.Equal(host.Truth.Records(from), mine.Objects<CallRecord>().Select(r => r.Id), "the default tenant's records");
        var theirs = _f.Run("$a = Open-CallRecordArchive -Path $db -TenantId $t -NoDefault; Get-CallRecord -Connection $a", Vars(("db", db), ("t", other)));
        TruthAssert.Equal(data.Records.Select(r => r.Id), theirs.Objects<CallRecord>().Select(r => r.Id), "the other tenant's records");
        var info = _f.Run("Get-CallRecordArchive -Path $db -TenantId $t", Vars(("db", db), ("t", other)));
        Assert.Equal(40L, Assert.Single(info.Objects<CallRecordArchiveInfo>()).CallRecords);
    }

    [Fact]
    public void ArchivesTheLogFunctionsOncePerRowAndAnswersTheLogCmdlets()
    {
        var host = _f.Host;
        var db = NewPath("logs");
        var from = _f.Now.AddDays(-100);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var pstn = ControlApi_Ids(host.Data.PstnCalls, from, to);
        var direct = ControlApi_Ids(host.Data.DirectRoutingCalls, from, to);
        var vars = Vars(("db", db), ("from", from), ("to", to), ("since", DateTimeOffset.UtcNow.AddMinutes(-1)));
        var first = Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph -StartDateTime $since -Include Pstn, DirectRouting -LogStartDateTime $from", vars));
        Assert.Equal((long)pstn.Count, first.PstnCallsAdded);
        Assert.Equal((long)direct.Count, first.DirectRoutingCallsAdded);
        var again = Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph -StartDateTime $since -Include Pstn, DirectRouting -LogStartDateTime $from", vars));
        Assert.Equal((0L, 0L), (again.PstnCallsAdded, again.DirectRoutingCallsAdded));

        var read = _f.Run("$a = Open-CallRecordArchive -Path $db -NoDefault; Get-CallRecordPstnCall -Connection $a -StartDateTime $from -EndDateTime $to", vars);
        Assert.Empty(read.Errors);
        TruthAssert.Equal(pstn, read.Objects<PstnCallLogRow>().Select(r => r.Id!), "PSTN rows from the archive", ordered: false);
        var dr = _f.Run("$a = Open-CallRecordArchive -Path $db -NoDefault; Get-CallRecordDirectRoutingCall -Connection $a -StartDateTime $from -EndDateTime $to", vars);
        TruthAssert.Equal(direct, dr.Objects<DirectRoutingLogRow>().Select(r => r.Id!), "direct routing rows from the archive", ordered: false);
    }

    private static List<string> ControlApi_Ids(GraphEmulator.Data.LogTable table, DateTimeOffset from, DateTimeOffset to)
    {
        var ids = new List<string>();
        for (var i = 0; i < table.Count; i++)
        {
            var t = table.Timestamp(i);
            if (t >= from && t < to) ids.Add(table.Id(i));
        }
        return ids;
    }

    [Fact]
    public async Task ASyncStoppedTwiceUnderFaultsEndsWithTheRowsOfACleanSync()
    {
        var host = _f.Host;
        var clean = NewPath("clean");
        var faulted = NewPath("faulted");
        var from = _f.Now.AddDays(-6);
        var expected = host.Truth.Records(from);
        Assert.InRange(expected.Count, 200, 400);
        Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph -StartDateTime $from", Vars(("db", clean), ("from", from))));

        host.ClearRequests();
        var kinds = new[] { FaultKind.TooManyRequests, FaultKind.ServiceUnavailable, FaultKind.GatewayTimeout, FaultKind.ConnectionReset, FaultKind.TruncatedBody };
        host.Control.Faults = new FaultSettings { Rate = 0.1, Seed = 5, Kinds = kinds, RetryAfterSeconds = 0 };
        try
        {
            var counts = new List<long>();
            for (var stop = 0; stop < 2; stop++)
            {
                var hold = host.Control.Hold(Routes.GetCallRecord, passFirst: 120, timeout: TimeSpan.FromMinutes(2));
                using var ps = _f.Shell(Vars(("db", faulted), ("from", from)));
                ps.AddScript("$graph = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -NoDefault -PassThru -MaxRetry 8 -RetryDelay 0.02\n" +
                             "Sync-CallRecord -Path $db -Connection $graph -StartDateTime $from -BatchSize 10");
                var pending = ps.BeginInvoke<PSObject, PSObject>(null, new PSDataCollection<PSObject>());
                Assert.True(await hold.WaitUntilAsync(h => h.Held >= 1, TimeSpan.FromMinutes(2)), hold.ToString());
                ps.Stop();
                try { ps.EndInvoke(pending); } catch (PipelineStoppedException) { }
                host.Control.ClearHold();
                counts.Add(Count(faulted, "call_records"));
                Assert.Equal("ok", Scalar(faulted, "PRAGMA integrity_check"));
                Assert.Equal(0L, Count(faulted, "pragma_foreign_key_check"));
            }
            Assert.True(counts[0] > 0 && counts[0] < counts[1] && counts[1] < expected.Count, "each stopped run left complete batches: " + string.Join(", ", counts));

            var final = Single(_f.Run("Sync-CallRecord -Path $db -Connection $graph -StartDateTime $from -BatchSize 10", Vars(("db", faulted), ("from", from))));
            Assert.Equal(expected.Count - counts[1], final.Added);
            Assert.True(final.Completed);
        }
        finally
        {
            host.Control.ClearFaults();
        }
        var injected = host.Requests.Where(r => r.Fault is not null).ToList();
        Assert.True(injected.Count > 30, $"{injected.Count} faults injected");
        Assert.All(kinds, k => Assert.Contains(injected, r => r.Fault == k));

        foreach (var table in new[] { "call_records", "sessions", "segments", "streams", "participants" })
            Assert.True(Dump(clean, table) == Dump(faulted, table), $"{table} differs between the clean and the faulted archive");
        using var ids = new SqliteConnection("Data Source=" + faulted + ";Mode=ReadOnly;Pooling=False");
        ids.Open();
        using var cmd = ids.CreateCommand();
        cmd.CommandText = "SELECT id FROM call_records ORDER BY start_date_time, rowid";
        var archived = new List<string>();
        using (var r = cmd.ExecuteReader()) while (r.Read()) archived.Add(r.GetString(0));
        TruthAssert.Equal(expected, archived, "records of the archive made through faults and stops");
    }

    private static object? Scalar(string path, string sql)
    {
        using var c = new SqliteConnection("Data Source=" + path + ";Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static long Count(string path, string table) => Convert.ToInt64(Scalar(path, "SELECT COUNT(*) FROM " + table), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every row of a table in key order, without the times the syncs wrote them.</summary>
    private static string Dump(string path, string table)
    {
        using var c = new SqliteConnection("Data Source=" + path + ";Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT * FROM {table} ORDER BY 1, 2, 3, 4";
        var sb = new StringBuilder();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            for (var i = 0; i < r.FieldCount; i++)
            {
                if (r.GetName(i) is "first_synced_utc" or "last_synced_utc") continue;
                sb.Append(r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
