using System;
using System.Collections.Specialized;
using System.Management.Automation;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Add-CallRecordSession: POST /communications/callRecords/{id}/sessions (emulator only; Graph refuses writes).
/// -PassThru returns the created session.
/// </summary>
[Cmdlet(VerbsCommon.Add, "CallRecordSession", DefaultParameterSetName = ParametersSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CallRecordSession))]
public sealed class AddCallRecordSessionCommand : SessionWriteCmdlet
{
    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(ModalityCompleter))]
    [ValidateGraphValue("modality")]
    public string[]? Modalities { get; set; }

    protected override void ProcessRecord()
    {
        if (!CheckId(CallRecordId, GraphIdKind.CallRecord, out var id)) return;
        var target = $"call record '{id}'";
        if (!TryBuildBody(BuildBody, target, out var body)) return;
        if (!ShouldProcess(target, "Add session")) return;
        RunWrite<CallRecordSession>(target, "CallRecordSession", async (op, ct) => await op.Writer.AddSessionAsync(id, body, ct).ConfigureAwait(false), PassThru);
    }

    internal override OrderedDictionary Properties() => SharedProperties(Modalities);
}
