using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Graph;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Base of the write cmdlets (New-CallRecord, Add-/Set-/Remove-CallRecordSession, Add-CallRecordSegment): one
/// request per input object, sent only when ShouldProcess agrees (so -WhatIf sends nothing), through the same
/// connection, pipeline thread bridge and error mapping as the reads.
/// </summary>
public abstract class CallRecordWriteCmdlet : CallRecordCmdlet
{
    /// <summary>
    /// Sends one write. A bad body (400), a missing record or session (404) or a conflicting id (409) is a
    /// non-terminating error for this input, so a pipeline goes on with the next; a refused write (401/403/405)
    /// ends the command, since every following write would be refused the same way.
    /// </summary>
    internal void RunWrite<T>(object target, string errorIdPrefix, Func<CmdletOperation, CancellationToken, Task<T?>> write, bool emit) where T : class
    {
        RunStream<T>((op, ct) => Once(op, ct), target: target);

        async IAsyncEnumerable<IReadOnlyList<T>> Once(CmdletOperation op, [EnumeratorCancellation] CancellationToken ct)
        {
            T? result = null;
            var failed = false;
            try
            {
                result = await write(op, ct).ConfigureAwait(false);
            }
            catch (GraphRequestException e) when (e.IsAboutTheInput)
            {
                failed = true;
                op.WriteError(e, target, errorIdPrefix + (e.StatusCode switch { 404 or 410 => "NotFound", 409 => "Conflict", _ => "InvalidBody" }));
            }
            if (!failed && emit && result is not null) yield return new[] { result };
        }
    }

    /// <summary>The checked id (<see cref="GraphId"/>) of this input, or a non-terminating error and false: a write is
    /// never sent with an id such as '..' that would change which object the request changes.</summary>
    internal bool CheckId(string? raw, GraphIdKind kind, out string id)
    {
        var checkedId = FanOutWork.Id(this, raw, kind);
        id = checkedId ?? string.Empty;
        return checkedId is not null;
    }

    /// <summary>Builds a body on the pipeline thread; a value with no JSON form is a non-terminating error.</summary>
    internal bool TryBuildBody(Func<byte[]> build, object target, out byte[] body)
    {
        try
        {
            body = build();
            return true;
        }
        catch (ArgumentException e)
        {
            WriteError(new ErrorRecord(e, "InvalidBodyValue", ErrorCategory.InvalidArgument, target) { ErrorDetails = new ErrorDetails(e.Message) });
            body = Array.Empty<byte>();
            return false;
        }
    }

    /// <summary>"session 'x' of call record 'y'": the ShouldProcess target.</summary>
    internal static string SessionTarget(string callRecordId, string sessionId) => $"session '{sessionId}' of call record '{callRecordId}'";
}
