using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;

namespace CallRecords.Cmdlets;

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
        catch (GraphRequestException e) when (e.StatusCode is 404 or 400)
        {
            op.WriteError(e, target, e.StatusCode == 404 ? notFoundId : "InvalidCallRecordId");
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

    /// <summary>A trimmed, non-empty id, or a non-terminating error and null.</summary>
    public static string? Id(CallRecordCmdlet cmdlet, string? raw, string what)
    {
        var id = raw?.Trim();
        if (!string.IsNullOrEmpty(id)) return id;
        cmdlet.WriteError(new System.Management.Automation.ErrorRecord(new ArgumentException($"A {what} id is empty."),
            what == "call record" ? "CallRecordIdEmpty" : "SessionIdEmpty", System.Management.Automation.ErrorCategory.InvalidArgument, raw));
        return null;
    }
}
