using System.Management.Automation;

namespace CallRecords.Cmdlets;

[Cmdlet(VerbsCommon.Get, "CallRecordConnection")]
public sealed class GetCallRecordConnectionCommand : PSCmdlet
{
    protected override void ProcessRecord() => WriteObject("frame");
}
