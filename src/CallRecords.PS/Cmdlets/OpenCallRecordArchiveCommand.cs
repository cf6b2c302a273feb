using CallRecords.Runtime;
using System.Management.Automation;
using CallRecords.Archive;
using CallRecords.Connection;

namespace CallRecords.Cmdlets;

/// <summary>
/// Open-CallRecordArchive: a connection that reads a Sync-CallRecord archive instead of Graph. Get-CallRecord, the
/// drill-down cmdlets and the log cmdlets take it as -Connection (or as the default connection) with the same
/// parameters and output types, and return records older than Graph's 30 days.
/// </summary>
[Cmdlet(VerbsCommon.Open, "CallRecordArchive")]
[OutputType(typeof(CallRecordConnection))]
public sealed class OpenCallRecordArchiveCommand : PSCmdlet
{
    /// <summary>The archive file (Sync-CallRecord -Path).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("FullName")]
    public string Path { get; set; } = string.Empty;

    /// <summary>The tenant to read, when the file holds several.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>Writes the connection to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Does not make the archive the default connection (use it with -Connection only).</summary>
    [Parameter]
    public SwitchParameter NoDefault { get; set; }

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        CallRecordConnection connection;
        try
        {
            connection = ArchiveConnections.Open(ArchiveConnections.Backend(MyInvocation.MyCommand.Module?.ModuleBase), path, TenantId);
        }
        catch (System.Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(e, path));
            return;
        }
        WriteVerbose($"Opened {connection}.");
        if (!NoDefault) ConnectionRegistry.SetDefault(connection);
        if (PassThru || NoDefault) WriteObject(connection);
    }
}
