using CallRecords.Runtime;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using CallRecords.Archive;
using CallRecords.Models;

namespace CallRecords.Cmdlets;

/// <summary>
/// Sync-CallRecord: keeps a SQLite archive of the tenant's call records complete and current. Lists the retained
/// window, expands only records that are new or carry a higher version, and writes them in transactions; with
/// -Include also the PSTN and direct-routing logs. Writes one summary object.
/// </summary>
[Cmdlet(VerbsData.Sync, "CallRecord")]
[OutputType(typeof(CallRecordSyncResult))]
public sealed class SyncCallRecordCommand : CallRecordCmdlet
{
    private const int ProgressActivityId = 0x4352_0023;

    /// <summary>The archive file; created (with its folder's permissions) when missing.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("FullName")]
    public string Path { get; set; } = string.Empty;

    /// <summary>Only records that started at or after this time (default: Graph's whole 30-day window).</summary>
    [Parameter]
    public DateTimeOffset? StartDateTime { get; set; }

    /// <summary>Also archive these log functions: Pstn (getPstnCalls), DirectRouting (getDirectRoutingCalls).</summary>
    [Parameter]
    [ValidateSet("Pstn", "DirectRouting", IgnoreCase = true)]
    public string[]? Include { get; set; }

    /// <summary>Where the log functions start (default: the latest archived row less two days; a first run, a year back).</summary>
    [Parameter]
    public DateTimeOffset? LogStartDateTime { get; set; }

    /// <summary>Records expanded at the same time (fewer while Graph throttles).</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    /// <summary>How long to wait for another sync of the same file to finish, in seconds.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int WaitTimeout { get; set; } = 60;

    /// <summary>Records per transaction.</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int BatchSize { get; set; } = ArchiveSync.DefaultBatchSize;

    protected override void BeginProcessing()
    {
        if (StartDateTime is { } future && TimeRange.IsFuture(future, DateTimeOffset.UtcNow))
            ThrowTerminatingError(TimeRange.StartInFuture(future));
    }

    protected override void EndProcessing()
    {
        var connection = ResolveConnection();
        if (connection.ArchivePath is not null)
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(new CallRecordsException("SyncSourceIsArchive", ErrorCategory.InvalidArgument,
                $"Sync-CallRecord reads from Graph, and the connection given is the archive {connection.ArchivePath}.",
                "Pass a Graph connection (Connect-CallRecordGraph -PassThru) as -Connection, or connect to Graph so it is the default."), connection));
        if (string.IsNullOrEmpty(connection.TenantId))
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(new CallRecordsException("SyncTenantUnknown", ErrorCategory.InvalidOperation,
                "The connection's tenant id is not known, and every archived row carries it.",
                "Connect with -TenantId, or with a token that carries the tid claim."), connection));
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var moduleBase = MyInvocation.MyCommand.Module?.ModuleBase;
        var include = (Include ?? Array.Empty<string>()).Select(i => string.Equals(i, "Pstn", StringComparison.OrdinalIgnoreCase) ? ArchiveLogTable.PstnCalls : ArchiveLogTable.DirectRoutingCalls)
            .Distinct().ToList();
        RunStream<CallRecordSyncResult>((op, ct) => SyncAsync(op, path, moduleBase, connection.TenantId!, include, ct));
    }

    private async IAsyncEnumerable<IReadOnlyList<CallRecordSyncResult>> SyncAsync(CmdletOperation op, string path, string? moduleBase, string tenant,
        IReadOnlyList<ArchiveLogTable> include, [EnumeratorCancellation] CancellationToken ct)
    {
        var result = new CallRecordSyncResult { Path = path, TenantId = tenant, StartedOn = DateTimeOffset.UtcNow };
        using var store = ArchiveConnections.Backend(moduleBase).Open(path, forWriting: true);
        result.Path = store.Path;
        op.WriteVerbose($"Archive {store.Path} (schema version {store.SchemaVersion.ToString(CultureInfo.InvariantCulture)}): waiting up to {WaitTimeout} s for its writer slot.");
        using (store.AcquireWriter(TimeSpan.FromSeconds(WaitTimeout), ct))
        {
            var throttle = new ProgressThrottle();
            var activity = "Sync-CallRecord: " + store.Path;
            var sync = new ArchiveSync(store, tenant, op)
            {
                StartDateTime = StartDateTime,
                ThrottleLimit = ThrottleLimit,
                BatchSize = BatchSize,
                Include = include,
                LogStartDateTime = LogStartDateTime,
                Progress = p =>
                {
                    if (!op.ShowProgress || !throttle.TryTake()) return;
                    var status = string.Format(CultureInfo.InvariantCulture, "{0}: {1:N0} listed{2}, {3:N0} of {4:N0} expanded, {5:N0} written{6}",
                        p.Phase, p.Listed, p.ListingDone ? "" : " so far", p.Expanded, p.ToExpand, p.Written, p.LogRows > 0 ? $", {p.LogRows:N0} log rows" : "");
                    var percent = p.ListingDone && p.ToExpand > 0 ? (int)Math.Min(99, p.Expanded * 100 / p.ToExpand) : -1;
                    op.Post(c => c.WriteProgress(new ProgressRecord(ProgressActivityId, activity, status) { PercentComplete = percent }));
                },
            };
            try
            {
                await sync.RunAsync(result, ct).ConfigureAwait(false);
            }
            finally
            {
                if (op.ShowProgress) op.Post(c => c.WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed }));
            }
        }
        yield return new[] { result };
    }
}
