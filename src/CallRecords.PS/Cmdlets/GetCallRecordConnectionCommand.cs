using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>Get-CallRecordConnection: the default connection (endpoint, api version, auth kind, tenant, token
/// expiry — never the token), or nothing when not connected.</summary>
[Cmdlet(VerbsCommon.Get, "CallRecordConnection")]
[OutputType(typeof(CallRecordConnection))]
public sealed class GetCallRecordConnectionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (ConnectionRegistry.Default is { } connection) WriteObject(connection);
        else WriteVerbose("Not connected. Run Connect-CallRecordGraph.");
    }
}
