using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>Per-item jobs the nested-collection cmdlets share: each reads everything of one item and turns a 404/400
/// on that item into a non-terminating error, so the other items continue.</summary>
internal static class FanOutWork
{
    public static async Task<IReadOnlyList<T>> OrErrorAsync<T>(CmdletOperation op, string target, string notFoundId,
        Func<Task<IReadOnlyList<T>>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (GraphRequestException e) when (e.IsAboutTheInput)
        {
            // CallRecordNotFound → InvalidCallRecordId for a 400/414/…: the id itself was refused.
            op.WriteError(e, target, e.StatusCode == 404 ? notFoundId : "Invalid" + notFoundId.Replace("NotFound", "") + "Id");
            return Array.Empty<T>();
        }
    }

    /// <summary>Every session of a record (every page), with segments when asked.</summary>
    public static async Task<IReadOnlyList<CallRecordSession>> SessionsAsync(CmdletOperation op, string callRecordId, bool segments, CancellationToken ct)
    {
        var all = new List<CallRecordSession>();
        await foreach (var page in op.Records.SessionsAsync(callRecordId, segments, null, ct).ConfigureAwait(false)) all.AddRange(page.Items);
        return all;
    }

    /// <summary>Every segment of a session (every page).</summary>
    public static async Task<IReadOnlyList<CallRecordSegment>> SegmentsAsync(CmdletOperation op, string callRecordId, string sessionId, CancellationToken ct)
    {
        var all = new List<CallRecordSegment>();
        await foreach (var page in op.Records.SegmentsAsync(callRecordId, sessionId, ct).ConfigureAwait(false)) all.AddRange(page.Items);
        return all;
    }

    /// <summary>The checked, trimmed id (<see cref="GraphId"/>), or a non-terminating error for this input and null:
    /// nothing is sent for an empty or malformed id, and the pipeline goes on with the next input.</summary>
    public static string? Id(CallRecordCmdlet cmdlet, string? raw, GraphIdKind kind)
    {
        if (GraphId.Problem(raw, kind, out var id) is not { } problem) return id;
        cmdlet.WriteError(ErrorMapper.ToErrorRecord(GraphId.Refused(raw, kind, problem), raw));
        return null;
    }
}
