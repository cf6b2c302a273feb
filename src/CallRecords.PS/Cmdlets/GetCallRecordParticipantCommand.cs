using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Models;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordParticipant: everyone on a call (participants_v2, every page of 130) with identity kind, display
/// name, ids, UPN, tenant and administrative units; IsOrganizer marks the organizer (organizer_v2, one more request).
/// -Organizer returns only the organizer. Several records are read concurrently (-ThrottleLimit), output in input order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordParticipant")]
[OutputType(typeof(CallRecordParticipant))]
public sealed class GetCallRecordParticipantCommand : CallRecordCmdlet
{
    private PipelineFanOut<string, CallRecordParticipant>? _fanOut;

    /// <summary>The call record; binds from the CallRecordId property of piped objects or from strings.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string CallRecordId { get; set; } = string.Empty;

    /// <summary>Only the organizer (organizer_v2): one request per record.</summary>
    [Parameter]
    public SwitchParameter Organizer { get; set; }

    /// <summary>Call records read at the same time.</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    protected override void BeginProcessing() =>
        _fanOut = Own(new PipelineFanOut<string, CallRecordParticipant>(this, ThrottleLimit, ReadAsync, "call records read", id => "call record " + id));

    protected override void ProcessRecord()
    {
        if (FanOutWork.Id(this, CallRecordId, GraphIdKind.CallRecord) is { } id) _fanOut!.Add(id);
    }

    protected override void EndProcessing() => _fanOut!.Finish();

    private Task<IReadOnlyList<CallRecordParticipant>> ReadAsync(CmdletOperation op, string callRecordId, CancellationToken ct) =>
        FanOutWork.OrErrorAsync(op, callRecordId, "CallRecordNotFound", () => Organizer ? OrganizerAsync(op, callRecordId, ct) : AllAsync(op, callRecordId, ct));

    private static async Task<IReadOnlyList<CallRecordParticipant>> OrganizerAsync(CmdletOperation op, string callRecordId, CancellationToken ct)
    {
        var organizer = await op.Records.GetOrganizerParticipantAsync(callRecordId, ct).ConfigureAwait(false);
        if (organizer is null) return Array.Empty<CallRecordParticipant>();
        organizer.IsOrganizer = true;
        return new[] { organizer };
    }

    private static async Task<IReadOnlyList<CallRecordParticipant>> AllAsync(CmdletOperation op, string callRecordId, CancellationToken ct)
    {
        var all = new List<CallRecordParticipant>();
        await foreach (var page in op.Records.ParticipantsAsync(callRecordId, ct).ConfigureAwait(false)) all.AddRange(page.Items);
        // One more request per record, after the list, so a record never holds more than its one slot.
        var organizer = (await op.Records.GetOrganizerParticipantAsync(callRecordId, ct).ConfigureAwait(false))?.Identity;
        if (organizer is not null)
        {
            // organizer_v2 names the organizer by identity; mark the participant entry carrying the same one.
            foreach (var p in all)
                if (p.Identity is { } i && string.Equals(i.Id, organizer.Id, StringComparison.OrdinalIgnoreCase) && string.Equals(i.Kind, organizer.Kind, StringComparison.OrdinalIgnoreCase))
                    p.IsOrganizer = true;
        }
        return all;
    }
}
