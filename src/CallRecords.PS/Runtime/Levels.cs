using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Cmdlets;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Models.Mapping;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// Exactly the children of one input, at each level: a record gives all its sessions, segments and streams; a session
/// only its own; a segment only itself and its streams. What the input object already carries costs no request;
/// anything else comes from the run's one read of the record (<see cref="RecordCache"/>).
/// </summary>
internal static class Levels
{
    public static async Task<IReadOnlyList<CallRecordSession>> SessionsAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct)
    {
        switch (target.Level)
        {
            case TargetLevel.Record:
                if (target.Known is CallRecord { Sessions: { } carried }) return carried;
                return (await cache.SessionsOfAsync(op, target.CallRecordId, ct).ConfigureAwait(false)).Sessions ?? (IReadOnlyList<CallRecordSession>)Array.Empty<CallRecordSession>();
            default:
                if (target.Level == TargetLevel.Session && target.Known is CallRecordSession { Segments: not null } whole) return new[] { whole };
                return new[] { await SessionAsync(op, target, cache, ct).ConfigureAwait(false) };
        }
    }

    public static async Task<IReadOnlyList<CallRecordSegment>> SegmentsAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct)
    {
        if (target.Level == TargetLevel.Segment)
        {
            if (target.Known is CallRecordSegment known) return new[] { known };
            var session = await SessionAsync(op, target, cache, ct).ConfigureAwait(false);
            var segment = session.Segments?.FirstOrDefault(g => string.Equals(g.Id, target.SegmentId, StringComparison.OrdinalIgnoreCase));
            return new[] { segment ?? throw NotFound("SegmentNotFound", $"Segment '{target.SegmentId}' was not found in session {target.SessionId} of call record {target.CallRecordId}.", target) };
        }
        var sessions = await SessionsAsync(op, target, cache, ct).ConfigureAwait(false);
        return sessions.SelectMany(s => (IEnumerable<CallRecordSegment>?)s.Segments ?? Array.Empty<CallRecordSegment>()).ToList();
    }

    public static async Task<IReadOnlyList<CallRecordStream>> StreamsAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct) =>
        StreamRows.FromSegments(await SegmentsAsync(op, target, cache, ct).ConfigureAwait(false)).ToList();

    /// <summary>The session the target names (the session itself, or a segment's session), from the record's read.</summary>
    private static async Task<CallRecordSession> SessionAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct)
    {
        var record = await cache.SessionsOfAsync(op, target.CallRecordId, ct).ConfigureAwait(false);
        var session = record.Sessions?.FirstOrDefault(s => string.Equals(s.Id, target.SessionId, StringComparison.OrdinalIgnoreCase));
        return session ?? throw NotFound("SessionNotFound", $"Session '{target.SessionId}' was not found in call record {target.CallRecordId}.", target);
    }

    private static CallRecordsException NotFound(string errorId, string message, CallRecordTarget target) =>
        new(errorId, ErrorCategory.ObjectNotFound, message, "Check the id; Get-CallRecordSession and Get-CallRecordSegment list what the call record has.", target.Describe());

    /// <summary>One input's children; a failure that is about this input (404, a refused id, a session or segment the
    /// record does not have) becomes a non-terminating error for it, and the run goes on with the next input.</summary>
    public static async Task<IReadOnlyList<T>> OrErrorAsync<T>(CmdletOperation op, CallRecordTarget target, Func<Task<IReadOnlyList<T>>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (GraphRequestException e) when (e.IsAboutTheInput)
        {
            op.WriteError(e, target.CallRecordId, e.StatusCode == 404 ? "CallRecordNotFound" : "InvalidCallRecordId");
            return Array.Empty<T>();
        }
        catch (CallRecordsException e) when (e.Category == ErrorCategory.ObjectNotFound)
        {
            op.WriteError(e, target.Level == TargetLevel.Segment ? target.SegmentId : target.Level == TargetLevel.Session ? target.SessionId : target.CallRecordId);
            return Array.Empty<T>();
        }
    }
}
