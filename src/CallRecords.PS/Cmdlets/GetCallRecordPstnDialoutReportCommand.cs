using System.Management.Automation;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>Get-CallRecordPstnDialoutReport: audio-conferencing dial-out usage per user and destination (beta getPstnOnlineMeetingDialoutReport, always sent to /beta).</summary>
[Cmdlet(VerbsCommon.Get, "CallRecordPstnDialoutReport", SupportsPaging = true)]
[OutputType(typeof(PstnOnlineMeetingDialoutReport))]
public sealed class GetCallRecordPstnDialoutReportCommand : LogCmdlet<PstnOnlineMeetingDialoutReport>
{
    internal override LogFunction<PstnOnlineMeetingDialoutReport> Function => LogFunctions.PstnOnlineMeetingDialoutReport;
}
