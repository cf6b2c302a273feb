using System.Management.Automation;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Remove-CallRecordSession: DELETE /communications/callRecords/{id}/sessions/{sessionId} (emulator only; Graph
/// refuses writes). ConfirmImpact High: it asks unless -Confirm:$false or $ConfirmPreference = 'None'.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CallRecordSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveCallRecordSessionCommand : CallRecordWriteCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string CallRecordId { get; set; } = string.Empty;

    /// <summary>The session id (a session object's Id when piped).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = string.Empty;

    protected override void ProcessRecord()
    {
        if (!CheckId(CallRecordId, GraphIdKind.CallRecord, out var recordId) || !CheckId(Id, GraphIdKind.Session, out var sessionId)) return;
        var target = SessionTarget(recordId, sessionId);
        if (!ShouldProcess(target, "Remove session")) return;
        RunWrite<object>(target, "CallRecordSession", async (op, ct) =>
        {
            await op.Writer.RemoveSessionAsync(recordId, sessionId, ct).ConfigureAwait(false);
            return null;
        }, emit: false);
    }
}
