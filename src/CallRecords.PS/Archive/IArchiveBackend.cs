using CallRecords.Runtime;
using System;
using System.Collections.Generic;
using System.Threading;
using CallRecords.Graph;
using CallRecords.Models;

namespace CallRecords.Archive;

/// <summary>
/// The seam between the root assembly and the SQLite archive in CallRecords.Sdk (Microsoft.Data.Sqlite and the
/// e_sqlite3 native library load with the Graph SDK, in the module's private load context). Only root-assembly and
/// BCL types cross it, like <see cref="Connection.IGraphBackend"/>.
/// </summary>
internal interface IArchiveBackend
{
    /// <summary>Opens (for a sync: creates or upgrades) the archive file at <paramref name="path"/>. Reading requires
    /// the file to exist and never changes its schema.</summary>
    IArchiveStore Open(string path, bool forWriting);
}

/// <summary>One archive file. Thread-safe: every call opens its own pooled SQLite connection.</summary>
internal interface IArchiveStore : IDisposable
{
    string Path { get; }

    /// <summary>The schema version of the file (<see cref="ArchiveSchema.Version"/> after a sync opened it).</summary>
    int SchemaVersion { get; }

    /// <summary>Tenants that have rows in the file, with their call record counts.</summary>
    IReadOnlyDictionary<string, long> Tenants();

    /// <summary>Takes the file's single writer slot: waits up to <paramref name="wait"/> for another sync to finish,
    /// then fails with ArchiveBusy naming the process that holds it. The slot is released on Dispose and by the
    /// operating system when the process dies (SIGKILL included).</summary>
    IDisposable AcquireWriter(TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>id → version of every archived call record of the tenant.</summary>
    IReadOnlyDictionary<string, long> RecordVersions(string tenantId);

    /// <summary>Writes the records with everything below them (replacing what an older version left) in one
    /// transaction: after a crash either all of them are at their new version or none is.</summary>
    void Upsert(string tenantId, IReadOnlyList<ArchivedRecord> records);

    /// <summary>Adds log rows not yet archived (by row id) in one transaction; returns how many were new.</summary>
    int AddLogRows(string tenantId, ArchiveLogTable table, IReadOnlyList<ArchivedLogRow> rows);

    /// <summary>The latest row time archived for the tenant in the table; null when it has none.</summary>
    DateTimeOffset? LatestLogTime(string tenantId, ArchiveLogTable table);

    /// <summary>Notes a finished (or failed) sync in the sync_runs table.</summary>
    void RecordRun(string tenantId, CallRecordSyncResult result);

    /// <summary>Integrity checks, row counts and the content digest (Get-CallRecordArchive); one tenant or all.</summary>
    CallRecordArchiveInfo Describe(string? tenantId);

    /// <summary>The read side: answers the module's Graph-shaped requests for this tenant from the file.</summary>
    IGraphTransport CreateTransport(string tenantId);
}

/// <summary>The log functions the archive keeps.</summary>
internal enum ArchiveLogTable
{
    PstnCalls,
    DirectRoutingCalls,
}

/// <summary>One fully expanded call record as Graph sent it (raw JSON of each entity, for a lossless read-back) and as
/// the module maps it (for the typed columns and the stream rows).</summary>
internal sealed class ArchivedRecord
{
    public ArchivedRecord(CallRecord record, string json, IReadOnlyList<ArchivedSession> sessions, IReadOnlyList<ArchivedParticipant> participants,
        ArchivedParticipant? organizer, IReadOnlyList<CallRecordStream> streams)
    {
        Record = record;
        Json = json;
        Sessions = sessions;
        Participants = participants;
        Organizer = organizer;
        Streams = streams;
    }

    public CallRecord Record { get; }
    /// <summary>The record's own properties (no sessions, participants_v2 or organizer_v2, no OData annotations).</summary>
    public string Json { get; }
    public IReadOnlyList<ArchivedSession> Sessions { get; }
    public IReadOnlyList<ArchivedParticipant> Participants { get; }
    public ArchivedParticipant? Organizer { get; }
    /// <summary>One row per media stream, classified (Quality, PoorReasons) by the module's classifier.</summary>
    public IReadOnlyList<CallRecordStream> Streams { get; }
}

internal sealed class ArchivedSession
{
    public ArchivedSession(CallRecordSession session, string json, IReadOnlyList<ArchivedSegment> segments)
    {
        Session = session;
        Json = json;
        Segments = segments;
    }

    public CallRecordSession Session { get; }
    /// <summary>Without "segments" and annotations.</summary>
    public string Json { get; }
    public IReadOnlyList<ArchivedSegment> Segments { get; }
}

internal sealed class ArchivedSegment
{
    public ArchivedSegment(CallRecordSegment segment, string json)
    {
        Segment = segment;
        Json = json;
    }

    public CallRecordSegment Segment { get; }
    public string Json { get; }
}

internal sealed class ArchivedParticipant
{
    public ArchivedParticipant(CallRecordParticipant participant, string json)
    {
        Participant = participant;
        Json = json;
    }

    public CallRecordParticipant Participant { get; }
    public string Json { get; }
}

/// <summary>One row of a log function: its id, its own time, who, and the row as Graph sent it.</summary>
internal sealed class ArchivedLogRow
{
    public ArchivedLogRow(string id, DateTimeOffset? time, string? userPrincipalName, string json)
    {
        Id = id;
        Time = time;
        UserPrincipalName = userPrincipalName;
        Json = json;
    }

    public string Id { get; }
    public DateTimeOffset? Time { get; }
    public string? UserPrincipalName { get; }
    public string Json { get; }
}

/// <summary>Versions of the file layout and of the rules whose results it stores.</summary>
internal static class ArchiveSchema
{
    /// <summary>The schema this build writes (docs/archive.md has the table of versions and their migrations).</summary>
    public const int Version = 1;
}
