using System.Management.Automation;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>Get-CallRecordPstnCall: Calling Plan, Operator Connect and audio-conferencing calls (getPstnCalls).</summary>
[Cmdlet(VerbsCommon.Get, "CallRecordPstnCall", SupportsPaging = true)]
[OutputType(typeof(PstnCallLogRow))]
public sealed class GetCallRecordPstnCallCommand : LogCmdlet<PstnCallLogRow>
{
    internal override LogFunction<PstnCallLogRow> Function => LogFunctions.PstnCalls;
}
