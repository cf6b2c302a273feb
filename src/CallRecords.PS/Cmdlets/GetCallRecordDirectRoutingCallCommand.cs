using System.Management.Automation;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>Get-CallRecordDirectRoutingCall: calls through the tenant's session border controllers (getDirectRoutingCalls).</summary>
[Cmdlet(VerbsCommon.Get, "CallRecordDirectRoutingCall", SupportsPaging = true)]
[OutputType(typeof(DirectRoutingLogRow))]
public sealed class GetCallRecordDirectRoutingCallCommand : LogCmdlet<DirectRoutingLogRow>
{
    internal override LogFunction<DirectRoutingLogRow> Function => LogFunctions.DirectRoutingCalls;
}
