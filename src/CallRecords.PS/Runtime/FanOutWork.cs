using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>What the fan-out cmdlets share before anything is sent: an input's id checked, or refused as a
/// non-terminating error so the other inputs continue.</summary>
internal static class FanOutWork
{
    /// <summary>The checked, trimmed id (<see cref="GraphId"/>), or a non-terminating error for this input and null:
    /// nothing is sent for an empty or malformed id, and the pipeline goes on with the next input.</summary>
    public static string? Id(CallRecordCmdlet cmdlet, string? raw, GraphIdKind kind)
    {
        if (GraphId.Problem(raw, kind, out var id) is not { } problem) return id;
        cmdlet.WriteError(ErrorMapper.ToErrorRecord(GraphId.Refused(raw, kind, problem), raw));
        return null;
    }
}
