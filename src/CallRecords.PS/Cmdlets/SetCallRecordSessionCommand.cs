using System;
using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Models.Mapping;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Set-CallRecordSession: PATCH /communications/callRecords/{id}/sessions/{sessionId} with only the properties
/// given (emulator only; Graph refuses writes). -PassThru reads the session back (GET, segments expanded).
/// </summary>
[Cmdlet(VerbsCommon.Set, "CallRecordSession", DefaultParameterSetName = ParametersSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CallRecordSession))]
public sealed class SetCallRecordSessionCommand : SessionWriteCmdlet
{
    /// <summary>The session id (a session object's Id when piped).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = string.Empty;

    [Parameter(ParameterSetName = ParametersSet)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(ModalityCompleter))]
    [ValidateGraphValue("modality")]
    public string[]? Modalities { get; set; }

    protected override void ProcessRecord()
    {
        if (!CheckId(CallRecordId, GraphIdKind.CallRecord, out var recordId) || !CheckId(Id, GraphIdKind.Session, out var sessionId)) return;
        var target = SessionTarget(recordId, sessionId);
        string[] changed;
        byte[] body;
        if (ParameterSetName == BodySet)
        {
            if (!TryBuildBody(BuildBody, target, out body)) return;
            changed = JsonBody.ToOrdered(BodyParameter)!.Keys.Cast<string>().ToArray();
        }
        else
        {
            var properties = Properties();
            if (properties.Count == 0)
            {
                WriteError(new ErrorRecord(new ArgumentException("Nothing to change."), "NoPropertyToSet", ErrorCategory.InvalidArgument, target)
                {
                    ErrorDetails = new ErrorDetails($"Nothing to change for {target}: give -Caller, -Callee, -Modalities, -StartDateTime, -EndDateTime, -FailureInfo or -BodyParameter."),
                });
                return;
            }
            changed = properties.Keys.Cast<string>().ToArray();
            if (!TryBuildBody(() => JsonBody.Serialize(properties), target, out body)) return;
        }
        if (!ShouldProcess(target, $"Update session ({string.Join(", ", changed)})")) return;
        RunWrite<CallRecordSession>(target, "CallRecordSession", async (op, ct) =>
        {
            await op.Writer.UpdateSessionAsync(recordId, sessionId, body, ct).ConfigureAwait(false);
            if (!PassThru) return null;
            // The whole session: the segments nextLink followed like every other read.
            return await op.Records.GetSessionAsync(recordId, sessionId, expandSegments: true, ct).ConfigureAwait(false);
        }, PassThru);
    }

    internal override OrderedDictionary Properties() => SharedProperties(Modalities);
}
