using System;
using System.Globalization;
using CallRecords.Archive;
using Microsoft.Data.Sqlite;

namespace CallRecords.Sdk.Archive;

/// <summary>The archive's schema (docs/archive.md documents every table and column), its migrations and the SQL of
/// the writes. Version 1 is the first; a later version adds a step to <see cref="Steps"/> and never edits an old one.</summary>
internal static class ArchiveDdl
{
    private static readonly (int Version, string Description, string Sql)[] Steps =
    {
        (1, "call records, sessions, segments, streams, participants, PSTN and direct-routing logs, sync runs", @"
CREATE TABLE call_records (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT,
    modalities TEXT,
    start_date_time TEXT,
    end_date_time TEXT,
    duration_seconds REAL,
    last_modified_date_time TEXT,
    join_web_url TEXT,
    organizer_id TEXT,
    organizer_display_name TEXT,
    organizer_user_principal_name TEXT,
    session_count INTEGER NOT NULL,
    segment_count INTEGER NOT NULL,
    participant_count INTEGER NOT NULL,
    stream_count INTEGER NOT NULL,
    poor_stream_count INTEGER NOT NULL,
    json TEXT NOT NULL,
    organizer_json TEXT,
    first_synced_utc TEXT NOT NULL,
    last_synced_utc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX call_records_by_start ON call_records (tenant_id, start_date_time);

CREATE TABLE sessions (
    tenant_id TEXT NOT NULL,
    call_record_id TEXT NOT NULL,
    id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    modalities TEXT,
    start_date_time TEXT,
    end_date_time TEXT,
    duration_seconds REAL,
    caller TEXT,
    callee TEXT,
    is_test INTEGER,
    failure_stage TEXT,
    failure_reason TEXT,
    json TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_record_id, id),
    FOREIGN KEY (tenant_id, call_record_id) REFERENCES call_records (tenant_id, id)
);

CREATE TABLE segments (
    tenant_id TEXT NOT NULL,
    call_record_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    start_date_time TEXT,
    end_date_time TEXT,
    duration_seconds REAL,
    caller TEXT,
    callee TEXT,
    failure_stage TEXT,
    failure_reason TEXT,
    json TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_record_id, session_id, id),
    FOREIGN KEY (tenant_id, call_record_id, session_id) REFERENCES sessions (tenant_id, call_record_id, id)
);

CREATE TABLE streams (
    tenant_id TEXT NOT NULL,
    call_record_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    stream_id TEXT,
    media_label TEXT,
    stream_kind TEXT NOT NULL,
    stream_direction TEXT,
    quality TEXT NOT NULL,
    poor_reasons TEXT,
    classifier_version INTEGER NOT NULL,
    start_date_time TEXT,
    end_date_time TEXT,
    sender_name TEXT,
    receiver_name TEXT,
    audio_codec TEXT,
    video_codec TEXT,
    average_jitter_ms REAL,
    max_jitter_ms REAL,
    average_round_trip_time_ms REAL,
    max_round_trip_time_ms REAL,
    average_packet_loss_rate REAL,
    max_packet_loss_rate REAL,
    average_audio_degradation REAL,
    average_ratio_of_concealed_samples REAL,
    average_video_frame_rate REAL,
    average_received_frame_rate REAL,
    average_video_frame_loss_percentage REAL,
    post_forward_error_correction_packet_loss_rate REAL,
    PRIMARY KEY (tenant_id, call_record_id, ordinal),
    FOREIGN KEY (tenant_id, call_record_id, session_id, segment_id) REFERENCES segments (tenant_id, call_record_id, session_id, id)
);
CREATE INDEX streams_by_quality ON streams (tenant_id, quality);

CREATE TABLE participants (
    tenant_id TEXT NOT NULL,
    call_record_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    id TEXT NOT NULL,
    identity_kind TEXT,
    identity_id TEXT,
    display_name TEXT,
    user_principal_name TEXT,
    is_organizer INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_record_id, ordinal),
    FOREIGN KEY (tenant_id, call_record_id) REFERENCES call_records (tenant_id, id)
);
CREATE INDEX participants_by_id ON participants (tenant_id, id COLLATE NOCASE);

CREATE TABLE pstn_calls (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    start_date_time TEXT,
    end_date_time TEXT,
    user_principal_name TEXT,
    user_display_name TEXT,
    call_type TEXT,
    caller_number TEXT,
    callee_number TEXT,
    duration_seconds INTEGER,
    charge REAL,
    currency TEXT,
    destination_name TEXT,
    json TEXT NOT NULL,
    synced_utc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pstn_calls_by_start ON pstn_calls (tenant_id, start_date_time);

CREATE TABLE direct_routing_calls (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    start_date_time TEXT,
    end_date_time TEXT,
    user_principal_name TEXT,
    user_display_name TEXT,
    call_type TEXT,
    caller_number TEXT,
    callee_number TEXT,
    duration_seconds INTEGER,
    successful_call INTEGER,
    final_sip_code INTEGER,
    trunk_fully_qualified_domain_name TEXT,
    json TEXT NOT NULL,
    synced_utc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX direct_routing_calls_by_start ON direct_routing_calls (tenant_id, start_date_time);

CREATE TABLE sync_runs (
    tenant_id TEXT NOT NULL,
    started_utc TEXT NOT NULL,
    duration_seconds REAL NOT NULL,
    completed INTEGER NOT NULL,
    listed INTEGER NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    expanded INTEGER NOT NULL,
    vanished INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    pstn_calls_added INTEGER NOT NULL,
    direct_routing_calls_added INTEGER NOT NULL,
    process_id INTEGER NOT NULL,
    machine_name TEXT NOT NULL
);

CREATE TABLE sync_writer (
    slot INTEGER PRIMARY KEY CHECK (slot = 1),
    process_id INTEGER NOT NULL,
    process_name TEXT NOT NULL,
    machine_name TEXT NOT NULL,
    started_utc TEXT NOT NULL
);
"),
    };

    /// <summary>Brings the file to <see cref="ArchiveSchema.Version"/> (creating it when new), each step in its own
    /// transaction with its row in schema_version; WAL on. Returns the version.</summary>
    public static int Migrate(SqliteConnection c)
    {
        // Before anything changes: a database of something else is refused as it is (no WAL switch, no tables added).
        var current = ReadVersion(c);
        using (var wal = c.CreateCommand())
        {
            // Persistent: readers read while a sync writes. NORMAL sync is durable across application crashes in WAL mode.
            wal.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
            wal.ExecuteNonQuery();
        }
        using (var create = c.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_utc TEXT NOT NULL, description TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        if (current > ArchiveSchema.Version)
            throw new CallRecordsException("ArchiveSchemaNewer", System.Management.Automation.ErrorCategory.InvalidData,
                $"The archive has schema version {current}; this module writes version {ArchiveSchema.Version} and never downgrades a file.",
                "Update the CallRecords module (Update-Module CallRecords) on every machine that syncs this file.");
        foreach (var (version, description, sql) in Steps)
        {
            if (version <= current) continue;
            using var tx = c.BeginTransaction();
            using (var step = c.CreateCommand())
            {
                step.Transaction = tx;
                step.CommandText = sql;
                step.ExecuteNonQuery();
            }
            using (var note = c.CreateCommand())
            {
                note.Transaction = tx;
                note.CommandText = "INSERT INTO schema_version (version, applied_utc, description) VALUES ($v, $at, $d)";
                note.Parameters.AddWithValue("$v", version);
                note.Parameters.AddWithValue("$at", ArchiveText.Time(DateTimeOffset.UtcNow));
                note.Parameters.AddWithValue("$d", description);
                note.ExecuteNonQuery();
            }
            tx.Commit();
            current = version;
        }
        return current;
    }

    public static int ReadVersion(SqliteConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (cmd.ExecuteScalar() is null)
        {
            cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master";
            if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 0) return 0;
            throw new SqliteException("the file is a SQLite database without the archive's schema_version table (not written by Sync-CallRecord)", 0);
        }
        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public static string LogTableName(ArchiveLogTable table) => table == ArchiveLogTable.PstnCalls ? "pstn_calls" : "direct_routing_calls";

    /// <summary>Adds a row unless its id is archived already (a row is immutable once logged); typed columns are read
    /// from the row's JSON by SQLite itself.</summary>
    public static string InsertLogRow(ArchiveLogTable table) => table == ArchiveLogTable.PstnCalls
        ? @"INSERT INTO pstn_calls (tenant_id, id, start_date_time, end_date_time, user_principal_name, user_display_name, call_type, caller_number,
                callee_number, duration_seconds, charge, currency, destination_name, json, synced_utc)
            SELECT $t, $id, $time, json_extract($json, '$.endDateTime'), $upn, json_extract($json, '$.userDisplayName'), json_extract($json, '$.callType'),
                json_extract($json, '$.callerNumber'), json_extract($json, '$.calleeNumber'), json_extract($json, '$.duration'), json_extract($json, '$.charge'),
                json_extract($json, '$.currency'), json_extract($json, '$.destinationName'), $json, $synced
            WHERE 1 ON CONFLICT (tenant_id, id) DO NOTHING"
        : @"INSERT INTO direct_routing_calls (tenant_id, id, start_date_time, end_date_time, user_principal_name, user_display_name, call_type, caller_number,
                callee_number, duration_seconds, successful_call, final_sip_code, trunk_fully_qualified_domain_name, json, synced_utc)
            SELECT $t, $id, $time, json_extract($json, '$.endDateTime'), $upn, json_extract($json, '$.userDisplayName'), json_extract($json, '$.callType'),
                json_extract($json, '$.callerNumber'), json_extract($json, '$.calleeNumber'), json_extract($json, '$.duration'),
                json_extract($json, '$.successfulCall'), json_extract($json, '$.finalSipCode'), json_extract($json, '$.trunkFullyQualifiedDomainName'), $json, $synced
            WHERE 1 ON CONFLICT (tenant_id, id) DO NOTHING";

    /// <summary>Insert or replace in place: the row keeps its rowid (the archive's listing order for equal start times)
    /// and its first_synced_utc.</summary>
    public const string UpsertRecord = @"INSERT INTO call_records (tenant_id, id, version, type, modalities, start_date_time, end_date_time, duration_seconds,
        last_modified_date_time, join_web_url, organizer_id, organizer_display_name, organizer_user_principal_name, session_count, segment_count,
        participant_count, stream_count, poor_stream_count, json, organizer_json, first_synced_utc, last_synced_utc)
    VALUES ($t, $id, $version, $type, $modalities, $start, $end, $duration, $modified, $url, $orgId, $orgName, $orgUpn, $sessions, $segments,
        $participants, $streams, $poor, $json, $orgJson, $now, $now)
    ON CONFLICT (tenant_id, id) DO UPDATE SET version = excluded.version, type = excluded.type, modalities = excluded.modalities,
        start_date_time = excluded.start_date_time, end_date_time = excluded.end_date_time, duration_seconds = excluded.duration_seconds,
        last_modified_date_time = excluded.last_modified_date_time, join_web_url = excluded.join_web_url, organizer_id = excluded.organizer_id,
        organizer_display_name = excluded.organizer_display_name, organizer_user_principal_name = excluded.organizer_user_principal_name,
        session_count = excluded.session_count, segment_count = excluded.segment_count, participant_count = excluded.participant_count,
        stream_count = excluded.stream_count, poor_stream_count = excluded.poor_stream_count, json = excluded.json,
        organizer_json = excluded.organizer_json, last_synced_utc = excluded.last_synced_utc";

    public const string InsertSession = @"INSERT INTO sessions (tenant_id, call_record_id, id, ordinal, modalities, start_date_time, end_date_time,
        duration_seconds, caller, callee, is_test, failure_stage, failure_reason, json)
    VALUES ($t, $rid, $id, $ord, $modalities, $start, $end, $duration, $caller, $callee, $isTest, $stage, $reason, $json)";

    public const string InsertSegment = @"INSERT INTO segments (tenant_id, call_record_id, session_id, id, ordinal, start_date_time, end_date_time,
        duration_seconds, caller, callee, failure_stage, failure_reason, json)
    VALUES ($t, $rid, $sid, $id, $ord, $start, $end, $duration, $caller, $callee, $stage, $reason, $json)";

    public const string InsertStream = @"INSERT INTO streams (tenant_id, call_record_id, session_id, segment_id, ordinal, stream_id, media_label, stream_kind,
        stream_direction, quality, poor_reasons, classifier_version, start_date_time, end_date_time, sender_name, receiver_name, audio_codec, video_codec,
        average_jitter_ms, max_jitter_ms, average_round_trip_time_ms, max_round_trip_time_ms, average_packet_loss_rate, max_packet_loss_rate,
        average_audio_degradation, average_ratio_of_concealed_samples, average_video_frame_rate, average_received_frame_rate,
        average_video_frame_loss_percentage, post_forward_error_correction_packet_loss_rate)
    VALUES ($t, $rid, $sid, $gid, $ord, $streamId, $label, $kind, $direction, $quality, $reasons, $cv, $start, $end, $sender, $receiver, $acodec, $vcodec,
        $avgJitter, $maxJitter, $avgRtt, $maxRtt, $avgLoss, $maxLoss, $degradation, $concealed, $frameRate, $recvFrameRate, $frameLoss, $postFec)";

    public const string InsertParticipant = @"INSERT INTO participants (tenant_id, call_record_id, ordinal, id, identity_kind, identity_id, display_name,
        user_principal_name, is_organizer, json)
    VALUES ($t, $rid, $ord, $id, $kind, $identityId, $name, $upn, $organizer, $json)";
}
