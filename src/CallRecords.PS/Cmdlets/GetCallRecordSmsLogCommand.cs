using System.Management.Automation;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>Get-CallRecordSmsLog: SMS sent and received through Teams numbers (beta getSmsLog, always sent to /beta).</summary>
[Cmdlet(VerbsCommon.Get, "CallRecordSmsLog", SupportsPaging = true)]
[OutputType(typeof(SmsLogRow))]
public sealed class GetCallRecordSmsLogCommand : LogCmdlet<SmsLogRow>
{
    internal override LogFunction<SmsLogRow> Function => LogFunctions.SmsLog;
}
