using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using CallRecords.Graph;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// Every failure becomes an ErrorRecord with a meaningful category, a stable error id (PowerShell appends the
/// cmdlet's type name: "CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordCommand"), the target, and a
/// recommended action where one helps. Messages carry Graph's code, message and request-id, never a stack trace or
/// a token.
/// </summary>
internal static class ErrorMapper
{
    public const string PermissionAdvice =
        "Graph serves call records only to applications: give the app registration the CallRecords.Read.All application permission (Microsoft Graph > Application permissions), grant admin consent, then connect again with an app-only token.";

    /// <summary>Said whenever a write is refused: the real service has no write support for call records.</summary>
    public const string WritesNotSupported =
        "Microsoft Graph does not support writing call records: the service refuses to create or change records, sessions and segments. Only the CallRecords Graph emulator accepts these requests (for seeding tests), unless it runs with --read-only.";

    /// <param name="errorId">Overrides the error id for a Graph error about one item (e.g. CallRecordNotFound).</param>
    /// <param name="exception">What failed.</param>
    /// <param name="target">The TargetObject of the record (the input item or the request).</param>
    public static ErrorRecord ToErrorRecord(Exception exception, object? target, string? errorId = null)
    {
        switch (exception)
        {
            case CallRecordsException c:
                return Record(c, c.ErrorId, c.Category, c.Target ?? target, c.Message, c.RecommendedAction);
            case GraphRequestException g:
                return FromGraph(g, target, errorId);
            case FileNotFoundException or FileLoadException or TypeLoadException or MissingMethodException or InvalidCastException
                when Loading.BinFolderResolver.Process?.Refusals is { Count: > 0 } refusals:
                // Windows PowerShell 5.1: an assembly the resolver refused to load beside another module's copy.
                var conflict = Loading.ModuleLoader.AssemblyConflictException(refusals);
                return Record(exception, conflict.ErrorId, conflict.Category, target, conflict.Message, conflict.RecommendedAction);
            case ObjectDisposedException:
                var closed = CallRecordsException.ConnectionClosed();
                return Record(closed, closed.ErrorId, closed.Category, target, closed.Message, closed.RecommendedAction);
            case HttpRequestException or IOException:
                return Record(exception, "GraphUnreachable", ErrorCategory.ConnectionError, target,
                    "Could not reach Microsoft Graph: " + exception.Message, "Check the network path to the Graph endpoint (proxy, firewall, DNS).");
            case ArgumentException:
                return Record(exception, "InvalidArgument", ErrorCategory.InvalidArgument, target, exception.Message, null);
            default:
                // Credential failures come from Azure.Identity, which stays out of this layer's references.
                var name = exception.GetType().Name;
                if (name is "AuthenticationFailedException" or "CredentialUnavailableException" or "MsalServiceException" or "MsalClientException")
                    return Record(exception, "AuthenticationFailed", ErrorCategory.AuthenticationError, target,
                        "Getting a token failed: " + exception.Message, "Check the tenant, client id and credential, then run Connect-CallRecordGraph again.");
                return Record(exception, "UnexpectedError", ErrorCategory.NotSpecified, target, exception.Message, null);
        }
    }

    private static ErrorRecord FromGraph(GraphRequestException g, object? target, string? errorId)
    {
        if (!string.Equals(g.Method, "GET", StringComparison.OrdinalIgnoreCase) && FromWrite(g, target, errorId) is { } write) return write;
        switch (g.StatusCode)
        {
            case 0:
                return Record(g, "GraphUnreachable", ErrorCategory.ConnectionError, target, g.Message,
                    g.InnerException is { } inner && PageRetryPolicy.IsUnreachable(inner)
                        ? "Check -GraphEndpoint (or -Environment) of Connect-CallRecordGraph, DNS and the proxy: the endpoint refused the connection or its name does not resolve."
                        : "Check the network path to the Graph endpoint and run the command again.");
            case 400:
                return Record(g, errorId ?? "GraphBadRequest", ErrorCategory.InvalidArgument, target, g.Message,
                    "Graph filters call records only on startDateTime (ge, gt, le, lt) and participants_v2/any(p:p/id eq '…'); check -Filter and -Property.");
            case 401:
                return Record(g, "GraphAuthenticationFailed", ErrorCategory.AuthenticationError, target, g.Message,
                    "The token was rejected (expired, wrong audience or tenant). Run Connect-CallRecordGraph again with a valid app-only token.");
            case 403:
                return Record(g, "GraphPermissionDenied", ErrorCategory.PermissionDenied, target, g.Message, PermissionAdvice);
            case 404:
                return Record(g, errorId ?? "GraphNotFound", ErrorCategory.ObjectNotFound, target,
                    (target is string id ? $"{(errorId == "SessionNotFound" ? "Session" : "Call record")} '{id}' was not found. " : "") + g.Message,
                    "Call records are kept for 30 days; check the id and its age.");
            case 429:
                return Record(g, "GraphThrottled", ErrorCategory.LimitsExceeded, target, g.Message,
                    "Graph throttled the requests beyond the retries; wait a minute, or narrow the time range.");
            case >= 500:
                return Record(g, "GraphServiceError", ErrorCategory.ResourceUnavailable, target, g.Message, "Graph had a service problem; run the command again later.");
            default:
                return Record(g, "GraphRequestFailed", ErrorCategory.InvalidResult, target, g.Message, null);
        }
    }

    /// <summary>Failures of POST/PATCH/DELETE whose advice differs from a read's; null for the rest.</summary>
    private static ErrorRecord? FromWrite(GraphRequestException g, object? target, string? errorId) => g.StatusCode switch
    {
        400 => Record(g, errorId ?? "GraphBadRequest", ErrorCategory.InvalidArgument, target, g.Message,
            "Check the body against microsoft.graph.callRecords: property names as Graph spells them (startDateTime, modalities, caller …), ISO 8601 dates and durations, enum members such as audio, video or groupCall."),
        403 => Record(g, "GraphPermissionDenied", ErrorCategory.PermissionDenied, target, g.Message + " " + WritesNotSupported, PermissionAdvice),
        404 => Record(g, errorId ?? "GraphNotFound", ErrorCategory.ObjectNotFound, target, g.Message,
            "Check the call record id and session id (Get-CallRecord -Id <id> -ExpandSession lists the sessions)."),
        405 or 501 => Record(g, "GraphWriteNotSupported", ErrorCategory.InvalidOperation, target, g.Message + " " + WritesNotSupported,
            "Seed data into the emulator (started without --read-only) instead; against Microsoft Graph, call records can only be read."),
        409 => Record(g, errorId ?? "GraphConflict", ErrorCategory.ResourceExists, target, g.Message, "An object with this id already exists; give another id or none."),
        _ => null,
    };

    private static ErrorRecord Record(Exception exception, string errorId, ErrorCategory category, object? target, string message, string? recommendedAction)
    {
        var record = new ErrorRecord(exception, errorId, category, target) { ErrorDetails = new ErrorDetails(message) };
        if (recommendedAction is not null) record.ErrorDetails.RecommendedAction = recommendedAction;
        return record;
    }
}
