using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CallRecords.Archive;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Models.Mapping;
using CallRecords.Sdk.Archive;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CallRecords.PS.Tests.Archive;

/// <summary>The SQLite store and the read-back transport on their own: schema and versions, the writer slot, the
/// version-aware replace, log deduplication, and the Graph-shaped answers (filters, paging, $select, $expand).</summary>
public sealed class ArchiveStoreTests : IDisposable
{
    private const string Tenant = "dc368399-474c-4d40-900c-6265431fd81f";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "archive-unit-" + Guid.NewGuid().ToString("n"));
    private readonly IArchiveBackend _backend = new SqliteArchiveBackend();

    public ArchiveStoreTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string NewPath() => Path.Combine(_dir, Guid.NewGuid().ToString("n") + ".db");

    private static SqliteConnection Raw(string path)
    {
        var c = new SqliteConnection("Data Source=" + path + ";Pooling=False");
        c.Open();
        return c;
    }

    private static object? Scalar(string path, string sql)
    {
        using var c = Raw(path);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    /// <summary>An expanded record built the way ArchiveRecordReader builds one, from a JSON body.</summary>
    private static ArchivedRecord Record(string id, long version, DateTimeOffset start, int sessions, int segmentsPerSession, string[] participants)
    {
        var json = new StringBuilder();
        json.Append("{\"id\":\"").Append(id).Append("\",\"version\":").Append(version).Append(",\"type\":\"groupCall\",\"modalities\":[\"audio\"],")
            .Append("\"startDateTime\":\"").Append(start.UtcDateTime.ToString("o")).Append("\",\"endDateTime\":\"").Append(start.AddMinutes(5).UtcDateTime.ToString("o"))
            .Append("\",\"lastModifiedDateTime\":\"").Append(start.AddMinutes(30).UtcDateTime.ToString("o")).Append("\",\"sessions@odata.context\":\"x\",\"sessions\":[");
        for (var s = 0; s < sessions; s++)
        {
            if (s > 0) json.Append(',');
            json.Append("{\"id\":\"s").Append(s).Append("\",\"modalities\":[\"audio\"],\"segments\":[");
            for (var g = 0; g < segmentsPerSession; g++)
            {
                if (g > 0) json.Append(',');
                json.Append("{\"id\":\"g").Append(s).Append('-').Append(g).Append("\",\"media\":[{\"label\":\"main-audio\",\"streams\":[{\"streamId\":\"1\",\"streamDirection\":\"callerToCallee\",\"averagePacketLossRate\":")
                    .Append(g % 2 == 0 ? "0.2" : "0.01").Append(",\"averageJitter\":\"PT0.01S\"}]}]}");
            }
            json.Append("]}");
        }
        json.Append("]}");
        using var doc = JsonDocument.Parse(json.ToString());
        var root = doc.RootElement;
        var record = CallRecordMapper.MapCallRecord(root);
        var archivedSessions = new List<ArchivedSession>();
        foreach (var s in root.GetProperty("sessions").EnumerateArray())
        {
            var session = CallRecordMapper.MapSession(s, id);
            var segments = s.GetProperty("segments").EnumerateArray().Select(g => new ArchivedSegment(CallRecordMapper.MapSegment(g, id, session.Id), ArchiveRecordReader.Strip(g))).ToList();
            session.Segments = new ModelList<CallRecordSegment>(segments.Select(g => g.Segment).ToList());
            archivedSessions.Add(new ArchivedSession(session, ArchiveRecordReader.Strip(s, "segments"), segments));
        }
        record.Sessions = new ModelList<CallRecordSession>(archivedSessions.Select(s => s.Session).ToList());
        var people = participants.Select(p =>
        {
            using var pd = JsonDocument.Parse("{\"id\":\"" + p + "\",\"identity\":{\"user\":{\"id\":\"" + p + "\",\"displayName\":\"User " + p + "\"}}}");
            return new ArchivedParticipant(CallRecordMapper.MapParticipant(pd.RootElement, id), ArchiveRecordReader.Strip(pd.RootElement));
        }).ToList();
        var organizer = people.FirstOrDefault();
        return new ArchivedRecord(record, ArchiveRecordReader.Strip(root, "sessions"), archivedSessions, people, organizer, StreamRows.FromSessions(record.Sessions).ToList());
    }

    private static string Get(IGraphTransport transport, string pathAndQuery, int? pageSize = null)
    {
        var headers = pageSize is { } n ? new[] { new KeyValuePair<string, string>("Prefer", "odata.maxpagesize=" + n) } : Array.Empty<KeyValuePair<string, string>>();
        var uri = pathAndQuery.StartsWith("https://", StringComparison.Ordinal) ? new Uri(pathAndQuery) : new Uri(ArchiveConnections.Endpoint, "v1.0/" + pathAndQuery);
        using var body = transport.SendAsync(new GraphRequest(uri, headers, Guid.NewGuid().ToString(), null), default).GetAwaiter().GetResult();
        return new StreamReader(body).ReadToEnd();
    }

    [Fact]
    public void ANewFileGetsSchemaVersionOneInWalModeAndAReaderNeverChangesIt()
    {
        var path = NewPath();
        using (var store = _backend.Open(path, forWriting: true)) Assert.Equal(ArchiveSchema.Version, store.SchemaVersion);
        Assert.Equal("wal", Scalar(path, "PRAGMA journal_mode"));
        Assert.Equal(1L, Scalar(path, "SELECT COUNT(*) FROM schema_version WHERE version = 1"));
        using (var reader = _backend.Open(path, forWriting: false)) Assert.Equal(1, reader.SchemaVersion);
        Assert.Equal(1L, Scalar(path, "SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public void AFileOfANewerSchemaIsRefusedAndLeftAsItIs()
    {
        var path = NewPath();
        _backend.Open(path, forWriting: true).Dispose();
        Scalar(path, "INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00.0000000Z', 'from the future')");
        var e = Assert.Throws<CallRecordsException>(() => _backend.Open(path, forWriting: true));
        Assert.Equal("ArchiveSchemaNewer", e.ErrorId);
        Assert.Throws<CallRecordsException>(() => _backend.Open(path, forWriting: false));
        Assert.Equal(99L, Scalar(path, "SELECT MAX(version) FROM schema_version"));
    }

    [Fact]
    public void AnotherSQLiteDatabaseIsNotTakenForAnArchive()
    {
        var path = NewPath();
        Scalar(path, "CREATE TABLE mine (x)");
        var e = Assert.Throws<CallRecordsException>(() => _backend.Open(path, forWriting: true));
        Assert.Equal("ArchiveUnreadable", e.ErrorId);
        Assert.Equal(0L, Scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'call_records'"));
    }

    [Fact]
    public void TheWriterSlotAdmitsOneSyncAndNamesTheHolder()
    {
        var path = NewPath();
        using var store = _backend.Open(path, forWriting: true);
        using (store.AcquireWriter(TimeSpan.Zero, default))
        {
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<CallRecordsException>(() => store.AcquireWriter(TimeSpan.FromMilliseconds(300), default));
            Assert.Equal("ArchiveBusy", e.ErrorId);
            Assert.Contains($"process {Environment.ProcessId} ", e.Message);
            Assert.Contains(Environment.MachineName, e.Message);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), "it waited before giving up");
        }
        using (store.AcquireWriter(TimeSpan.Zero, default)) { }
    }

    [Fact]
    public void AHigherVersionReplacesEverythingBelowTheRecordAndKeepsItsPlace()
    {
        var path = NewPath();
        using var store = _backend.Open(path, forWriting: true);
        var start = new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
        store.Upsert(Tenant, new[] { Record("a", 1, start, 3, 2, new[] { "p1", "p2" }), Record("b", 1, start, 1, 1, new[] { "p3" }) });
        var rowid = Scalar(path, "SELECT rowid FROM call_records WHERE id = 'a'");
        var first = Scalar(path, "SELECT first_synced_utc FROM call_records WHERE id = 'a'");
        Assert.Equal(6L, Scalar(path, "SELECT COUNT(*) FROM segments WHERE call_record_id = 'a'"));

        store.Upsert(Tenant, new[] { Record("a", 2, start, 1, 3, new[] { "p1" }) });

        Assert.Equal(2L, Scalar(path, "SELECT version FROM call_records WHERE id = 'a'"));
        Assert.Equal(1L, Scalar(path, "SELECT COUNT(*) FROM sessions WHERE call_record_id = 'a'"));
        Assert.Equal(3L, Scalar(path, "SELECT COUNT(*) FROM segments WHERE call_record_id = 'a'"));
        Assert.Equal(3L, Scalar(path, "SELECT COUNT(*) FROM streams WHERE call_record_id = 'a'"));
        Assert.Equal(1L, Scalar(path, "SELECT COUNT(*) FROM participants WHERE call_record_id = 'a'"));
        Assert.Equal(rowid, Scalar(path, "SELECT rowid FROM call_records WHERE id = 'a'"));
        Assert.Equal(first, Scalar(path, "SELECT first_synced_utc FROM call_records WHERE id = 'a'"));
        Assert.Equal(1L, Scalar(path, "SELECT COUNT(*) FROM sessions WHERE call_record_id = 'b'"));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 2, ["b"] = 1 }, store.RecordVersions(Tenant).OrderBy(k => k.Key).ToDictionary(k => k.Key, k => k.Value));
        Assert.Equal(0L, Scalar(path, "SELECT COUNT(*) FROM pragma_foreign_key_check"));
    }

    [Fact]
    public void StreamRowsCarryTheClassificationAndTheClassifierVersion()
    {
        var path = NewPath();
        using var store = _backend.Open(path, forWriting: true);
        store.Upsert(Tenant, new[] { Record("a", 1, DateTimeOffset.UnixEpoch.AddYears(56), 1, 4, new[] { "p1" }) });
        // Segments 0 and 2 lose 20 % of their packets (past CQD's 10 %): poor by packet loss.
        Assert.Equal(2L, Scalar(path, "SELECT COUNT(*) FROM streams WHERE quality = 'Poor' AND poor_reasons LIKE '%PacketLoss%'"));
        Assert.Equal(2L, Scalar(path, "SELECT COUNT(*) FROM streams WHERE quality = 'Good'"));
        Assert.Equal(4L, Scalar(path, $"SELECT COUNT(*) FROM streams WHERE classifier_version = {CallRecords.Quality.StreamClassifier.Version}"));
        Assert.Equal(10.0, Scalar(path, "SELECT average_jitter_ms FROM streams LIMIT 1"));
        Assert.Equal(2L, Scalar(path, "SELECT poor_stream_count FROM call_records"));
    }

    [Fact]
    public void LogRowsAreAddedOncePerIdAndTheirColumnsComeFromTheirJson()
    {
        var path = NewPath();
        using var store = _backend.Open(path, forWriting: true);
        var rows = Enumerable.Range(0, 5).Select(i => new ArchivedLogRow("row" + i, new DateTimeOffset(2026, 3, 1, i, 0, 0, TimeSpan.Zero), "u@contoso.com",
            "{\"id\":\"row" + i + "\",\"callType\":\"ucap_out\",\"charge\":0." + i + ",\"duration\":" + (60 + i) + "}")).ToList();
        Assert.Equal(5, store.AddLogRows(Tenant, ArchiveLogTable.PstnCalls, rows));
        Assert.Equal(0, store.AddLogRows(Tenant, ArchiveLogTable.PstnCalls, rows));
        Assert.Equal(2, store.AddLogRows("other-tenant", ArchiveLogTable.PstnCalls, rows.Take(2).ToList()));
        Assert.Equal(7L, Scalar(path, "SELECT COUNT(*) FROM pstn_calls"));
        Assert.Equal(64L, Scalar(path, "SELECT duration_seconds FROM pstn_calls WHERE id = 'row4' AND tenant_id = '" + Tenant + "'"));
        Assert.Equal("ucap_out", Scalar(path, "SELECT DISTINCT call_type FROM pstn_calls"));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 4, 0, 0, TimeSpan.Zero), store.LatestLogTime(Tenant, ArchiveLogTable.PstnCalls));
        Assert.Null(store.LatestLogTime(Tenant, ArchiveLogTable.DirectRoutingCalls));
    }

    [Fact]
    public void TheTransportListsByStartTimeAndParticipantInPagesWithNextLinks()
    {
        var path = NewPath();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using (var store = _backend.Open(path, forWriting: true))
            store.Upsert(Tenant, Enumerable.Range(0, 7).Select(i => Record("r" + i, 1, start.AddHours(i), 1, 1, new[] { i % 2 == 0 ? "even" : "odd" })).ToList());
        using var reader = _backend.Open(path, forWriting: false);
        var transport = reader.CreateTransport(Tenant);

        var ids = new List<string>();
        var pages = 0;
        string? next = "communications/callRecords?$filter=" + Uri.EscapeDataString("startDateTime ge 2026-01-01T01:00:00Z and startDateTime lt 2026-01-01T06:00:00Z");
        while (next is not null)
        {
            using var page = JsonDocument.Parse(Get(transport, next, pageSize: 2));
            pages++;
            ids.AddRange(page.RootElement.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("id").GetString()!));
            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            Assert.True(pages < 10, "paging must end");
        }
        Assert.Equal(new[] { "r1", "r2", "r3", "r4", "r5" }, ids);
        Assert.Equal(3, pages);

        using var odd = JsonDocument.Parse(Get(transport, "communications/callRecords?$filter=" + Uri.EscapeDataString("participants_v2/any(p:p/id eq 'ODD')") + "&$select=id,version"));
        Assert.Equal(new[] { "r1", "r3", "r5" }, odd.RootElement.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("id").GetString()));
        Assert.Equal(new[] { "id", "version" }, odd.RootElement.GetProperty("value")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void TheTransportRefusesWhatItCannotAnswerAsGraphWould()
    {
        var path = NewPath();
        using (var store = _backend.Open(path, forWriting: true)) store.Upsert(Tenant, new[] { Record("r0", 1, DateTimeOffset.UnixEpoch.AddYears(56), 2, 2, new[] { "p" }) });
        using var reader = _backend.Open(path, forWriting: false);
        var transport = reader.CreateTransport(Tenant);

        var filter = Assert.Throws<GraphRequestException>(() => Get(transport, "communications/callRecords?$filter=" + Uri.EscapeDataString("type eq 'groupCall'")));
        Assert.Equal(400, filter.StatusCode);
        Assert.Contains("cannot answer the filter clause 'type eq 'groupCall''", filter.Message);
        var or = Assert.Throws<GraphRequestException>(() => Get(transport, "communications/callRecords?$filter=" + Uri.EscapeDataString("startDateTime ge 2026-01-01T00:00:00Z or startDateTime lt 2020-01-01T00:00:00Z")));
        Assert.Equal(400, or.StatusCode);
        var two = Assert.Throws<GraphRequestException>(() => Get(transport, "communications/callRecords/r0?$expand=sessions,participants_v2"));
        Assert.Contains("Only one relationship can be expanded", two.Message);
        Assert.Equal(404, Assert.Throws<GraphRequestException>(() => Get(transport, "communications/callRecords/nope")).StatusCode);
        Assert.Equal(400, Assert.Throws<GraphRequestException>(() => Get(transport, "communications/callRecords/getSmsLog(fromDateTime=2026-01-01T00:00:00Z,toDateTime=2026-02-01T00:00:00Z)")).StatusCode);
        var write = Assert.Throws<GraphRequestException>(() =>
            transport.SendAsync(new GraphRequest(new Uri(ArchiveConnections.Endpoint, "v1.0/communications/callRecords"), Array.Empty<KeyValuePair<string, string>>(), "x", null, "POST", new byte[] { (byte)'{', (byte)'}' }), default).GetAwaiter().GetResult());
        Assert.Equal(405, write.StatusCode);

        using var expanded = JsonDocument.Parse(Get(transport, "communications/callRecords/r0?$expand=sessions($expand=segments)"));
        var sessions = expanded.RootElement.GetProperty("sessions");
        Assert.Equal(new[] { "s0", "s1" }, sessions.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(new[] { "g1-0", "g1-1" }, sessions[1].GetProperty("segments").EnumerateArray().Select(g => g.GetProperty("id").GetString()));
        Assert.False(expanded.RootElement.TryGetProperty("sessions@odata.context", out _), "annotations of the original response are not stored");
    }
}
