using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Disconnect-CallRecordGraph: closes the default connection (or the given one) and releases its Graph client.
/// Without a connection to close it does nothing, so scripts can call it unconditionally.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "CallRecordGraph")]
[OutputType(typeof(void))]
public sealed class DisconnectCallRecordGraphCommand : PSCmdlet
{
    /// <summary>A connection from Connect-CallRecordGraph -PassThru; the default one when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public CallRecordConnection? Connection { get; set; }

    protected override void ProcessRecord()
    {
        var connection = Connection ?? ConnectionRegistry.Default;
        if (connection is null)
        {
            WriteVerbose("Not connected; nothing to disconnect.");
            return;
        }
        ConnectionRegistry.ClearIfDefault(connection);
        connection.Session.Dispose();
        WriteVerbose($"Disconnected: {connection}.");
    }
}
