using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using CallRecords.Archive;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Quality;
using Microsoft.Data.Sqlite;

namespace CallRecords.Sdk.Archive;

/// <summary>
/// The archive file: SQLite in WAL mode (readers read while a sync writes), one writer at a time (a lock file the
/// operating system releases when the holder dies), a transaction per batch. Schema: docs/archive.md.
/// </summary>
internal sealed class SqliteArchiveStore : IArchiveStore
{
    private readonly string _connectionString;

    private SqliteArchiveStore(string path, bool forWriting)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = forWriting ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
    }

    public string Path { get; }
    public int SchemaVersion { get; private set; }

    public static SqliteArchiveStore Open(string path, bool forWriting)
    {
        path = System.IO.Path.GetFullPath(path);
        if (forWriting)
        {
            var folder = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                throw new CallRecordsException("ArchiveFolderNotFound", ErrorCategory.ObjectNotFound, $"The folder {folder} does not exist.",
                    "Create the folder first (New-Item -ItemType Directory), or give a path in an existing one.", path);
        }
        var store = new SqliteArchiveStore(path, forWriting);
        try
        {
            using var c = store.Connect();
            store.SchemaVersion = forWriting ? ArchiveDdl.Migrate(c) : ArchiveDdl.ReadVersion(c);
            if (!forWriting && store.SchemaVersion > ArchiveSchema.Version)
                throw new CallRecordsException("ArchiveSchemaNewer", ErrorCategory.InvalidData,
                    $"The archive {path} has schema version {store.SchemaVersion}; this module reads up to version {ArchiveSchema.Version}.",
                    "Update the CallRecords module (Update-Module CallRecords).", path);
        }
        catch (SqliteException e)
        {
            SqliteConnection.ClearAllPools();
            throw new CallRecordsException("ArchiveUnreadable", ErrorCategory.ReadError, $"{path} could not be opened as a call records archive: {e.Message}",
                "Give the path of a file Sync-CallRecord wrote, or a new file name for a new archive.", path, e);
        }
        return store;
    }

    internal SqliteConnection Connect()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        using var pragma = c.CreateCommand();
        // synchronous is per connection: NORMAL in WAL mode keeps every commit atomic and the file consistent after a
        // crash or kill (a power loss may lose the last commits, never half of one), without an fsync per commit.
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 60000; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return c;
    }

    public IReadOnlyDictionary<string, long> Tenants()
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT tenant_id, COUNT(*) FROM call_records GROUP BY tenant_id ORDER BY tenant_id";
        var result = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetString(0)] = r.GetInt64(1);
        // Tenants whose archive so far holds only log rows.
        foreach (var table in new[] { "pstn_calls", "direct_routing_calls" })
        {
            using var logs = c.CreateCommand();
            logs.CommandText = $"SELECT DISTINCT tenant_id FROM {table}";
            using var lr = logs.ExecuteReader();
            while (lr.Read()) if (!result.ContainsKey(lr.GetString(0))) result[lr.GetString(0)] = 0;
        }
        return result;
    }

    public IDisposable AcquireWriter(TimeSpan wait, CancellationToken cancellationToken) => WriterSlot.Acquire(this, wait, cancellationToken);

    public IReadOnlyDictionary<string, long> RecordVersions(string tenantId)
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, version FROM call_records WHERE tenant_id = $t";
        cmd.Parameters.AddWithValue("$t", tenantId);
        var result = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetString(0)] = r.GetInt64(1);
        return result;
    }

    public void Upsert(string tenantId, IReadOnlyList<ArchivedRecord> records)
    {
        if (records.Count == 0) return;
        using var c = Connect();
        using var tx = c.BeginTransaction();
        using var writer = new RecordWriter(c, tx, tenantId);
        foreach (var record in records) writer.Write(record);
        tx.Commit();
    }

    public int AddLogRows(string tenantId, ArchiveLogTable table, IReadOnlyList<ArchivedLogRow> rows)
    {
        using var c = Connect();
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = ArchiveDdl.InsertLogRow(table);
        var t = cmd.Parameters.Add("$t", SqliteType.Text);
        var id = cmd.Parameters.Add("$id", SqliteType.Text);
        var time = cmd.Parameters.Add("$time", SqliteType.Text);
        var upn = cmd.Parameters.Add("$upn", SqliteType.Text);
        var json = cmd.Parameters.Add("$json", SqliteType.Text);
        var synced = cmd.Parameters.Add("$synced", SqliteType.Text);
        t.Value = tenantId;
        synced.Value = ArchiveText.Time(DateTimeOffset.UtcNow);
        var added = 0;
        foreach (var row in rows)
        {
            id.Value = row.Id;
            time.Value = ArchiveText.Time(row.Time) ?? (object)DBNull.Value;
            upn.Value = (object?)row.UserPrincipalName ?? DBNull.Value;
            json.Value = row.Json;
            added += cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return added;
    }

    public DateTimeOffset? LatestLogTime(string tenantId, ArchiveLogTable table)
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT MAX(start_date_time) FROM {ArchiveDdl.LogTableName(table)} WHERE tenant_id = $t";
        cmd.Parameters.AddWithValue("$t", tenantId);
        return cmd.ExecuteScalar() is string s ? ArchiveText.ParseTime(s) : null;
    }

    public void RecordRun(string tenantId, CallRecordSyncResult result)
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = @"INSERT INTO sync_runs (tenant_id, started_utc, duration_seconds, completed, listed, added, updated, unchanged, expanded, vanished,
            requests, pstn_calls_added, direct_routing_calls_added, process_id, machine_name)
            VALUES ($t, $s, $d, $c, $l, $a, $u, $n, $e, $v, $r, $p, $dr, $pid, $m)";
        cmd.Parameters.AddWithValue("$t", tenantId);
        cmd.Parameters.AddWithValue("$s", ArchiveText.Time(result.StartedOn));
        cmd.Parameters.AddWithValue("$d", result.Duration.TotalSeconds);
        cmd.Parameters.AddWithValue("$c", result.Completed ? 1 : 0);
        cmd.Parameters.AddWithValue("$l", result.Listed);
        cmd.Parameters.AddWithValue("$a", result.Added);
        cmd.Parameters.AddWithValue("$u", result.Updated);
        cmd.Parameters.AddWithValue("$n", result.Unchanged);
        cmd.Parameters.AddWithValue("$e", result.Expanded);
        cmd.Parameters.AddWithValue("$v", result.Vanished);
        cmd.Parameters.AddWithValue("$r", result.Requests);
        cmd.Parameters.AddWithValue("$p", result.PstnCallsAdded);
        cmd.Parameters.AddWithValue("$dr", result.DirectRoutingCallsAdded);
        cmd.Parameters.AddWithValue("$pid", Process.GetCurrentProcess().Id);
        cmd.Parameters.AddWithValue("$m", Environment.MachineName);
        cmd.ExecuteNonQuery();
    }

    public IGraphTransport CreateTransport(string tenantId) => new ArchiveTransport(this, tenantId);

    public CallRecordArchiveInfo Describe(string? tenantId) => ArchiveDigest.Describe(this, tenantId);

    public void Dispose()
    {
        // Pooled connections keep the file open (and, on Windows, locked); the archive is done with here.
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Writes one record and everything below it, replacing what an older version left.</summary>
    private sealed class RecordWriter : IDisposable
    {
        private readonly SqliteCommand _deleteChildren;
        private readonly SqliteCommand _record;
        private readonly SqliteCommand _session;
        private readonly SqliteCommand _segment;
        private readonly SqliteCommand _stream;
        private readonly SqliteCommand _participant;
        private readonly string _tenant;
        private readonly string _now = ArchiveText.Time(DateTimeOffset.UtcNow)!;

        public RecordWriter(SqliteConnection c, SqliteTransaction tx, string tenant)
        {
            _tenant = tenant;
            SqliteCommand Make(string sql)
            {
                var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                return cmd;
            }
            _deleteChildren = Make(@"DELETE FROM streams WHERE tenant_id = $t AND call_record_id = $id;
                DELETE FROM segments WHERE tenant_id = $t AND call_record_id = $id;
                DELETE FROM sessions WHERE tenant_id = $t AND call_record_id = $id;
                DELETE FROM participants WHERE tenant_id = $t AND call_record_id = $id;");
            _record = Make(ArchiveDdl.UpsertRecord);
            _session = Make(ArchiveDdl.InsertSession);
            _segment = Make(ArchiveDdl.InsertSegment);
            _stream = Make(ArchiveDdl.InsertStream);
            _participant = Make(ArchiveDdl.InsertParticipant);
        }

        public void Write(ArchivedRecord a)
        {
            var r = a.Record;
            Run(_deleteChildren, ("$t", _tenant), ("$id", r.Id));
            var organizer = a.Organizer?.Participant.Identity;
            Run(_record, ("$t", _tenant), ("$id", r.Id), ("$version", r.Version), ("$type", r.Type), ("$modalities", Join(r.Modalities)),
                ("$start", ArchiveText.Time(r.StartDateTime)), ("$end", ArchiveText.Time(r.EndDateTime)), ("$duration", r.Duration?.TotalSeconds),
                ("$modified", ArchiveText.Time(r.LastModifiedDateTime)), ("$url", r.JoinWebUrl),
                ("$orgId", a.Organizer?.Participant.Id), ("$orgName", organizer?.DisplayName), ("$orgUpn", organizer?.UserPrincipalName),
                ("$sessions", a.Sessions.Count), ("$segments", a.Sessions.Sum(s => s.Segments.Count)), ("$participants", a.Participants.Count),
                ("$streams", a.Streams.Count), ("$poor", a.Streams.Count(s => s.Quality == StreamQuality.Poor)),
                ("$json", a.Json), ("$orgJson", a.Organizer?.Json), ("$now", _now));
            for (var i = 0; i < a.Sessions.Count; i++)
            {
                var s = a.Sessions[i];
                var session = s.Session;
                Run(_session, ("$t", _tenant), ("$rid", r.Id), ("$id", session.Id), ("$ord", i), ("$modalities", Join(session.Modalities)),
                    ("$start", ArchiveText.Time(session.StartDateTime)), ("$end", ArchiveText.Time(session.EndDateTime)), ("$duration", session.Duration?.TotalSeconds),
                    ("$caller", session.Caller?.ToString()), ("$callee", session.Callee?.ToString()), ("$isTest", session.IsTest is { } t ? (t ? 1 : 0) : null),
                    ("$stage", session.FailureInfo?.Stage), ("$reason", session.FailureInfo?.Reason), ("$json", s.Json));
                for (var k = 0; k < s.Segments.Count; k++)
                {
                    var g = s.Segments[k].Segment;
                    Run(_segment, ("$t", _tenant), ("$rid", r.Id), ("$sid", session.Id), ("$id", g.Id), ("$ord", k),
                        ("$start", ArchiveText.Time(g.StartDateTime)), ("$end", ArchiveText.Time(g.EndDateTime)), ("$duration", g.Duration?.TotalSeconds),
                        ("$caller", g.Caller?.ToString()), ("$callee", g.Callee?.ToString()), ("$stage", g.FailureInfo?.Stage), ("$reason", g.FailureInfo?.Reason),
                        ("$json", s.Segments[k].Json));
                }
            }
            for (var i = 0; i < a.Streams.Count; i++)
            {
                var s = a.Streams[i];
                Run(_stream, ("$t", _tenant), ("$rid", r.Id), ("$sid", s.SessionId), ("$gid", s.SegmentId), ("$ord", i), ("$streamId", s.StreamId),
                    ("$label", s.MediaLabel), ("$kind", s.StreamKind.ToString()), ("$direction", s.StreamDirection), ("$quality", s.Quality.ToString()),
                    ("$reasons", Join(s.PoorReasons)), ("$cv", StreamClassifier.Version), ("$start", ArchiveText.Time(s.StartDateTime)), ("$end", ArchiveText.Time(s.EndDateTime)),
                    ("$sender", s.SenderName), ("$receiver", s.ReceiverName), ("$acodec", s.AudioCodec), ("$vcodec", s.VideoCodec),
                    ("$avgJitter", s.AverageJitterMs), ("$maxJitter", s.MaxJitterMs), ("$avgRtt", s.AverageRoundTripTimeMs), ("$maxRtt", s.MaxRoundTripTimeMs),
                    ("$avgLoss", s.AveragePacketLossRate), ("$maxLoss", s.MaxPacketLossRate), ("$degradation", s.AverageAudioDegradation),
                    ("$concealed", s.AverageRatioOfConcealedSamples), ("$frameRate", s.AverageVideoFrameRate), ("$recvFrameRate", s.AverageReceivedFrameRate),
                    ("$frameLoss", s.AverageVideoFrameLossPercentage), ("$postFec", s.PostForwardErrorCorrectionPacketLossRate));
            }
            for (var i = 0; i < a.Participants.Count; i++)
            {
                var p = a.Participants[i].Participant;
                Run(_participant, ("$t", _tenant), ("$rid", r.Id), ("$id", p.Id ?? ""), ("$ord", i), ("$kind", p.Identity?.Kind),
                    ("$name", p.Identity?.DisplayName), ("$upn", p.Identity?.UserPrincipalName), ("$identityId", p.Identity?.Id),
                    ("$organizer", a.Organizer?.Participant.Id is { } oid && string.Equals(oid, p.Id, StringComparison.OrdinalIgnoreCase) ? 1 : 0),
                    ("$json", a.Participants[i].Json));
            }
        }


        private static string? Join(IEnumerable<string>? values) => values is null ? null : string.Join(";", values);

        private static void Run(SqliteCommand cmd, params (string Name, object? Value)[] values)
        {
            if (cmd.Parameters.Count == 0)
                foreach (var (name, _) in values) cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            for (var i = 0; i < values.Length; i++) cmd.Parameters[values[i].Name].Value = values[i].Value ?? DBNull.Value;
            cmd.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _deleteChildren.Dispose();
            _record.Dispose();
            _session.Dispose();
            _segment.Dispose();
            _stream.Dispose();
            _participant.Dispose();
        }
    }
}

/// <summary>Times as the archive stores them: UTC, ISO 8601, always seven fraction digits, so text order is time order.</summary>
internal static class ArchiveText
{
    public static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? s) =>
        s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
