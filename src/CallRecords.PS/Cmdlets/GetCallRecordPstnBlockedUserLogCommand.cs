using System.Management.Automation;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>Get-CallRecordPstnBlockedUserLog: users blocked from and unblocked for PSTN calling (beta getPstnBlockedUsersLog, always sent to /beta).</summary>
[Cmdlet(VerbsCommon.Get, "CallRecordPstnBlockedUserLog", SupportsPaging = true)]
[OutputType(typeof(PstnBlockedUsersLogRow))]
public sealed class GetCallRecordPstnBlockedUserLogCommand : LogCmdlet<PstnBlockedUsersLogRow>
{
    internal override LogFunction<PstnBlockedUsersLogRow> Function => LogFunctions.PstnBlockedUsersLog;
}
