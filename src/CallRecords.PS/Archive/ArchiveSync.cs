using CallRecords.Runtime;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Cmdlets;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Models.Mapping;

namespace CallRecords.Archive;

/// <summary>What a sync is doing, for the progress bar.</summary>
internal sealed class SyncProgress
{
    public string Phase { get; set; } = "";
    public long Listed { get; set; }
    public long ToExpand { get; set; }
    public long Expanded { get; set; }
    public long Written { get; set; }
    public long LogRows { get; set; }
    public bool ListingDone { get; set; }
}

/// <summary>
/// One Sync-CallRecord run: lists the retained window (one request per 999 records; list items carry version and
/// lastModifiedDateTime), expands only records the archive lacks or holds at a lower version (through the ordered
/// fan-out and the run's limiter, like Get-CallRecord -ExpandSession), and writes them in batches, one transaction
/// each; then the log functions asked for, deduplicated by row id. A run that stops anywhere leaves every batch it
/// committed complete; the next run lists again and expands what is still missing or older.
/// </summary>
internal sealed class ArchiveSync
{
    /// <summary>Records per transaction: large enough that commits cost little, small enough that a kill loses little.</summary>
    public const int DefaultBatchSize = 100;
    /// <summary>Later runs of a log function start this long before its latest archived row, so rows Graph logs late
    /// (and rows at the previous run's edge) are picked up; row ids keep them unique.</summary>
    public static readonly TimeSpan LogOverlap = TimeSpan.FromDays(2);
    /// <summary>A first run backfills the logs this far (what the log cmdlets accept; Graph documents no limit).</summary>
    public static TimeSpan LogBackfill => TimeSpan.FromDays(365);

    private readonly IArchiveStore _store;
    private readonly string _tenant;
    private readonly CmdletOperation _op;

    public ArchiveSync(IArchiveStore store, string tenantId, CmdletOperation op)
    {
        _store = store;
        _tenant = tenantId;
        _op = op;
    }

    public DateTimeOffset? StartDateTime { get; set; }
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;
    public int BatchSize { get; set; } = DefaultBatchSize;
    public IReadOnlyList<ArchiveLogTable> Include { get; set; } = Array.Empty<ArchiveLogTable>();
    public DateTimeOffset? LogStartDateTime { get; set; }
    /// <summary>Called (on the producer's thread) whenever the counts change.</summary>
    public Action<SyncProgress>? Progress { get; set; }

    public async Task<CallRecordSyncResult> RunAsync(CallRecordSyncResult result, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        long requests = 0;
        void Count() => Interlocked.Increment(ref requests);
        _op.RequestObserved += Count;
        var progress = new SyncProgress { Phase = "Listing call records" };
        try
        {
            await SyncRecordsAsync(result, progress, ct).ConfigureAwait(false);
            foreach (var table in Include) await SyncLogAsync(table, result, progress, ct).ConfigureAwait(false);
            result.Completed = true;
        }
        finally
        {
            _op.RequestObserved -= Count;
            result.Requests = Interlocked.Read(ref requests);
            result.Duration = clock.Elapsed;
            try
            {
                _store.RecordRun(_tenant, result);
            }
            catch (Exception e) when (!result.Completed)
            {
                _op.WriteDebug("Could not note the interrupted run in sync_runs: " + e.Message);
            }
        }
        return result;
    }

    private async Task SyncRecordsAsync(CallRecordSyncResult result, SyncProgress progress, CancellationToken ct)
    {
        var known = _store.RecordVersions(_tenant);
        _op.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Archive {0}: {1} call record(s) of tenant {2} before this run.", _store.Path, known.Count, _tenant));
        // Up to -ThrottleLimit records in flight; the connection's request budget paces every request (the expand, the
        // participants and the organizer of each record) to Graph's windows, shared with any other run on it.
        var limiter = _op.UseLimiter(ThrottleLimit);
        var reader = new ArchiveRecordReader(_op.Pages);
        var batch = new List<(ArchivedRecord Record, bool IsNew)>(BatchSize);

        void Flush()
        {
            if (batch.Count == 0) return;
            var records = new List<ArchivedRecord>(batch.Count);
            foreach (var b in batch) records.Add(b.Record);
            var write = Stopwatch.StartNew();
            _store.Upsert(_tenant, records);
            result.WriteDuration += write.Elapsed;
            foreach (var b in batch)
            {
                if (b.IsNew) result.Added++;
                else result.Updated++;
            }
            progress.Written += batch.Count;
            batch.Clear();
            Progress?.Invoke(progress);
        }

        var expanded = OrderedFanOut.RunAsync(CandidatesAsync(known, result, progress, ct), async (c, t) =>
        {
            try
            {
                return (c, Record: (ArchivedRecord?)await reader.ReadAsync(c.Id, t).ConfigureAwait(false));
            }
            catch (GraphRequestException e) when (e.StatusCode == 404)
            {
                // Listed a moment ago, gone now: it aged out of Graph's 30 days during the run.
                _op.WriteWarning($"Call record {c.Id} was listed but is gone now (404); it is not archived. {e.Message}");
                return (c, Record: (ArchivedRecord?)null);
            }
        }, limiter, FanOut.Options, ct);
        await foreach (var (candidate, record) in expanded.ConfigureAwait(false))
        {
            if (record is null)
            {
                result.Vanished++;
                continue;
            }
            result.Expanded++;
            progress.Expanded++;
            batch.Add((record, candidate.IsNew));
            if (batch.Count >= BatchSize) Flush();
            else Progress?.Invoke(progress);
        }
        Flush();
    }

    /// <summary>The listing, yielding the records to expand; counts Listed and Unchanged as it goes.</summary>
    private async IAsyncEnumerable<Candidate> CandidatesAsync(IReadOnlyDictionary<string, long> known, CallRecordSyncResult result, SyncProgress progress,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var query = CallRecordReader.ListQuery(ODataFilter.StartDateTimeRange(StartDateTime, null), null, 999);
        await foreach (var page in _op.Records.ListAsync(query, ct).ConfigureAwait(false))
        {
            foreach (var item in page.Items)
            {
                // A record listed twice (it moved between pages) is looked at once.
                if (!seen.Add(item.Id)) continue;
                result.Listed++;
                progress.Listed++;
                var isNew = !known.TryGetValue(item.Id, out var archived);
                if (!isNew && item.Version <= archived)
                {
                    result.Unchanged++;
                    continue;
                }
                progress.ToExpand++;
                yield return new Candidate(item.Id, isNew);
            }
            Progress?.Invoke(progress);
        }
        progress.ListingDone = true;
        progress.Phase = "Expanding new and re-issued call records";
        _op.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Listed {0} call record(s): {1} new or re-issued, {2} unchanged.",
            result.Listed, progress.ToExpand, result.Unchanged));
        Progress?.Invoke(progress);
    }

    private async Task SyncLogAsync(ArchiveLogTable table, CallRecordSyncResult result, SyncProgress progress, CancellationToken ct)
    {
        var name = table == ArchiveLogTable.PstnCalls ? "getPstnCalls" : "getDirectRoutingCalls";
        var now = DateTimeOffset.UtcNow;
        var end = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var latest = _store.LatestLogTime(_tenant, table);
        var start = LogStartDateTime?.ToUniversalTime() ?? (latest is { } l ? l - LogOverlap : end - LogBackfill);
        if (start >= end) return;
        progress.Phase = "Reading " + name;
        _op.WriteVerbose($"{name}: {start:u} – {end:u} ({(latest is null ? "first run: backfill" : "from the latest archived row less " + LogOverlap.TotalDays + " days")}).");
        // The PSTN-type windows (200 / 60 s, 50 / 60 s per function) are the connection's request budget's.
        var limiter = _op.UseLimiter(4);
        var function = new LogFunction<ArchivedLogRow>(name, false, (e, _) => Row(e, table), r => r.Time, r => r.Id, r => r.UserPrincipalName);
        var reader = new LogReader(_op.Pages);
        await foreach (var page in reader.ReadAsync(function, start, end, 4, limiter, ct).ConfigureAwait(false))
        {
            var write = Stopwatch.StartNew();
            var added = page.Items.Count == 0 ? 0 : _store.AddLogRows(_tenant, table, page.Items);
            result.WriteDuration += write.Elapsed;
            if (table == ArchiveLogTable.PstnCalls) result.PstnCallsAdded += added;
            else result.DirectRoutingCallsAdded += added;
            progress.LogRows += page.Items.Count;
            Progress?.Invoke(progress);
        }
    }

    private static ArchivedLogRow Row(JsonElement e, ArchiveLogTable table)
    {
        var json = ArchiveRecordReader.Strip(e);
        DateTimeOffset? time;
        string? id, upn;
        if (table == ArchiveLogTable.PstnCalls)
        {
            var row = PstnCallLogRowMapper.Map(e);
            (time, id, upn) = (row?.StartDateTime, row?.Id, row?.UserPrincipalName);
        }
        else
        {
            var row = DirectRoutingLogRowMapper.Map(e);
            (time, id, upn) = (row?.StartDateTime, row?.Id, row?.UserPrincipalName);
        }
        // Graph gives every PSTN and direct-routing row an id; a row without one is keyed by its content, so it is
        // still stored once however often it is read.
        if (string.IsNullOrEmpty(id)) id = "sha256:" + Hash(json);
        return new ArchivedLogRow(id!, time, upn, json);
    }

    private static string Hash(string text)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        var bytes = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(text));
        return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
    }

    private readonly struct Candidate
    {
        public Candidate(string id, bool isNew)
        {
            Id = id;
            IsNew = isNew;
        }

        public string Id { get; }
        public bool IsNew { get; }
    }
}
