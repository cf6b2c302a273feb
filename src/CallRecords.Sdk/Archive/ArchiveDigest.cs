using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using CallRecords.Models;
using Microsoft.Data.Sqlite;

namespace CallRecords.Sdk.Archive;

/// <summary>Get-CallRecordArchive: SQLite's integrity checks, counts per table, and a digest of the archived content.</summary>
internal static class ArchiveDigest
{
    /// <summary>Data tables in digest order, each with its key order; columns that say when a sync wrote a row are left
    /// out, everything Graph sent or the module derived is in.</summary>
    private static readonly (string Table, string Order)[] Tables =
    {
        ("call_records", "tenant_id, id"),
        ("sessions", "tenant_id, call_record_id, id"),
        ("segments", "tenant_id, call_record_id, session_id, id"),
        ("streams", "tenant_id, call_record_id, ordinal"),
        ("participants", "tenant_id, call_record_id, ordinal"),
        ("pstn_calls", "tenant_id, id"),
        ("direct_routing_calls", "tenant_id, id"),
    };

    private static readonly HashSet<string> SyncTimes = new(StringComparer.Ordinal) { "first_synced_utc", "last_synced_utc", "synced_utc" };

    public static CallRecordArchiveInfo Describe(SqliteArchiveStore store, string? tenantId)
    {
        using var c = store.Connect();
        var info = new CallRecordArchiveInfo { Path = store.Path, SchemaVersion = store.SchemaVersion };
        info.SqliteVersion = Convert.ToString(Scalar(c, "SELECT sqlite_version()", null), CultureInfo.InvariantCulture) ?? "";
        info.IntegrityCheck = string.Join("; ", Strings(c, "PRAGMA integrity_check", null));
        info.ForeignKeyViolations = Strings(c, "PRAGMA foreign_key_check", null).Count;
        var where = tenantId is null ? "" : " WHERE tenant_id = $t";
        info.TenantIds = new ValueList(tenantId is not null ? new List<string> { tenantId } : store.Tenants().Keys.ToList());
        long Count(string table, string extra = "") =>
            Convert.ToInt64(Scalar(c, $"SELECT COUNT(*) FROM {table}{where}{(extra.Length == 0 ? "" : (where.Length == 0 ? " WHERE " : " AND ") + extra)}", tenantId), CultureInfo.InvariantCulture);
        info.CallRecords = Count("call_records");
        info.Sessions = Count("sessions");
        info.Segments = Count("segments");
        info.Streams = Count("streams");
        info.PoorStreams = Count("streams", "quality = 'Poor'");
        info.Participants = Count("participants");
        info.PstnCalls = Count("pstn_calls");
        info.DirectRoutingCalls = Count("direct_routing_calls");
        info.OldestStartDateTime = ArchiveText.ParseTime(Scalar(c, $"SELECT MIN(start_date_time) FROM call_records{where}", tenantId) as string);
        info.NewestStartDateTime = ArchiveText.ParseTime(Scalar(c, $"SELECT MAX(start_date_time) FROM call_records{where}", tenantId) as string);
        using (var last = c.CreateCommand())
        {
            last.CommandText = $"SELECT started_utc, completed FROM sync_runs{where} ORDER BY rowid DESC LIMIT 1";
            if (tenantId is not null) last.Parameters.AddWithValue("$t", tenantId);
            using var r = last.ExecuteReader();
            if (r.Read())
            {
                info.LastSyncOn = ArchiveText.ParseTime(r.GetString(0));
                info.LastSyncCompleted = r.GetInt64(1) != 0;
            }
        }
        info.ContentHash = Hash(c, where, tenantId);
        return info;
    }

    private static string Hash(SqliteConnection c, string where, string? tenantId)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new StringBuilder();
        foreach (var (table, order) in Tables)
        {
            var columns = Strings(c, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid", null).Where(n => !SyncTimes.Contains(n)).ToList();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT {string.Join(", ", columns)} FROM {table}{where} ORDER BY {order}";
            if (tenantId is not null) cmd.Parameters.AddWithValue("$t", tenantId);
            Add(hash, "table " + table + "\n");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                buffer.Clear();
                for (var i = 0; i < r.FieldCount; i++)
                {
                    // Type-tagged so NULL, '' and 0 never collide.
                    buffer.Append(r.IsDBNull(i) ? "n" : r.GetValue(i) switch
                    {
                        long l => "i" + l.ToString(CultureInfo.InvariantCulture),
                        double d => "r" + d.ToString("R", CultureInfo.InvariantCulture),
                        string s => "s" + s.Length.ToString(CultureInfo.InvariantCulture) + ":" + s,
                        var o => "o" + Convert.ToString(o, CultureInfo.InvariantCulture),
                    }).Append('\u001f');
                }
                buffer.Append('\n');
                Add(hash, buffer.ToString());
            }
        }
        return BitConverter.ToString(hash.GetHashAndReset()).Replace("-", "").ToLowerInvariant();
    }

    private static void Add(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

    private static object? Scalar(SqliteConnection c, string sql, string? tenantId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        if (tenantId is not null) cmd.Parameters.AddWithValue("$t", tenantId);
        return cmd.ExecuteScalar();
    }

    private static List<string> Strings(SqliteConnection c, string sql, string? tenantId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        if (tenantId is not null) cmd.Parameters.AddWithValue("$t", tenantId);
        var result = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result.Add(Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture) ?? "");
        return result;
    }
}
