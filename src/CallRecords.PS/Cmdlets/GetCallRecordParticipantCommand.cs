using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Runtime;
using CallRecords.Parameters;

namespace CallRecords.Cmdlets;

/// <summary>
/// Get-CallRecordParticipant: everyone on a call (participants_v2, every page) with identity kind, display name, ids,
/// UPN, tenant and administrative units; IsOrganizer marks the organizer (organizer_v2). Any input of a call (the
/// record, its id, a session, a segment, a stream, a CSV row) gives the call's participants, once per call per run.
/// -Organizer returns only the organizer. Several records are read concurrently (-ThrottleLimit), output in input order.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CallRecordParticipant", DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(CallRecordParticipant))]
public sealed class GetCallRecordParticipantCommand : CallRecordChildCmdlet<CallRecordParticipant>
{
    /// <summary>Only the organizer (organizer_v2): one request per record.</summary>
    [Parameter]
    public SwitchParameter Organizer { get; set; }

    internal override TargetLevel OutputLevel => TargetLevel.Record;

    internal override Task<IReadOnlyList<CallRecordParticipant>> ReadAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct) =>
        Levels.OrErrorAsync(op, target, () => Organizer ? OrganizerAsync(op, target.CallRecordId, ct) : AllAsync(op, target, ct));

    private static async Task<IReadOnlyList<CallRecordParticipant>> OrganizerAsync(CmdletOperation op, string callRecordId, CancellationToken ct)
    {
        var organizer = await op.Records.GetOrganizerParticipantAsync(callRecordId, ct).ConfigureAwait(false);
        if (organizer is null) return Array.Empty<CallRecordParticipant>();
        organizer.IsOrganizer = true;
        return new[] { organizer };
    }

    private static async Task<IReadOnlyList<CallRecordParticipant>> AllAsync(CmdletOperation op, CallRecordTarget target, CancellationToken ct)
    {
        // A record read with -ExpandParticipant already has them, organizer marked.
        if (target.Known is CallRecord { Participants: { } carried }) return carried;
        var all = new List<CallRecordParticipant>();
        await foreach (var page in op.Records.ParticipantsAsync(target.CallRecordId, ct).ConfigureAwait(false)) all.AddRange(page.Items);
        // organizer_v2 names the organizer: the piped record may carry it (list items do); else one more request.
        var organizer = (target.Known as CallRecord)?.Organizer
            ?? (await op.Records.GetOrganizerParticipantAsync(target.CallRecordId, ct).ConfigureAwait(false))?.Identity;
        if (organizer is not null) Models.Mapping.CallRecordMapper.MarkOrganizer(all, organizer);
        return all;
    }
}
