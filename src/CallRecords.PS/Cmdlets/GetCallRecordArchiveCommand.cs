using CallRecords.Runtime;
using System.Management.Automation;
using CallRecords.Archive;
using CallRecords.Models;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordArchive: what a Sync-CallRecord archive holds — schema version, SQLite's integrity and foreign-key
/// checks, rows per table, the range of start times, the last sync and a content digest. Reads only; works while a
/// sync writes.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordArchive")]
[OutputType(typeof(CallRecordArchiveInfo))]
public sealed class GetCallRecordArchiveCommand : PSCmdlet
{
    /// <summary>The archive file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("FullName", "ArchivePath")]
    public string Path { get; set; } = string.Empty;

    /// <summary>Count only this tenant's rows (default: every tenant of the file).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        try
        {
            if (!System.IO.File.Exists(path))
                throw new CallRecordsException("ArchiveNotFound", ErrorCategory.ObjectNotFound, $"There is no archive at {path}.",
                    "Give the path of a file Sync-CallRecord wrote.", path);
            using var store = ArchiveConnections.Backend(MyInvocation.MyCommand.Module?.ModuleBase).Open(path, forWriting: false);
            WriteObject(store.Describe(TenantId));
        }
        catch (System.Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ErrorMapper.ToErrorRecord(e, path));
        }
    }
}
