using System;

namespace CallRecords.Models;

/// <summary>What an archive file holds (Get-CallRecordArchive): its schema, SQLite's own integrity checks, the rows per
/// table, the range of call start times, the last sync, and a digest of its content.</summary>
public sealed class CallRecordArchiveInfo
{
    public string Path { get; set; } = string.Empty;
    public int SchemaVersion { get; set; }
    /// <summary>The SQLite library that read the file (sqlite_version()).</summary>
    public string SqliteVersion { get; set; } = string.Empty;
    /// <summary>"ok", or what PRAGMA integrity_check found.</summary>
    public string IntegrityCheck { get; set; } = string.Empty;
    /// <summary>Rows whose parent row is missing (PRAGMA foreign_key_check): 0 in an archive Sync-CallRecord wrote.</summary>
    public long ForeignKeyViolations { get; set; }
    /// <summary>The tenant counted (-TenantId), or every tenant of the file.</summary>
    public ValueList TenantIds { get; set; } = ValueList.Empty;
    public long CallRecords { get; set; }
    public long Sessions { get; set; }
    public long Segments { get; set; }
    public long Streams { get; set; }
    public long PoorStreams { get; set; }
    public long Participants { get; set; }
    public long PstnCalls { get; set; }
    public long DirectRoutingCalls { get; set; }
    public DateTimeOffset? OldestStartDateTime { get; set; }
    public DateTimeOffset? NewestStartDateTime { get; set; }
    public DateTimeOffset? LastSyncOn { get; set; }
    /// <summary>Whether the last sync ran to completion.</summary>
    public bool? LastSyncCompleted { get; set; }
    /// <summary>SHA-256 over every archived row in key order, without the times of the syncs that wrote them: two archives
    /// with the same content (however many runs, kills and retries made them) have the same digest.</summary>
    public string ContentHash { get; set; } = string.Empty;

    public override string ToString() => $"{Path}: {CallRecords} call records, {Streams} streams, {PstnCalls + DirectRoutingCalls} log rows";
}
