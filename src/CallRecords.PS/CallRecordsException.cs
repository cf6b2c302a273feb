using System;
using System.Management.Automation;

namespace CallRecords;

/// <summary>
/// A failure the module itself detects (not connected, an unusable token, bad input), already carrying the
/// ErrorRecord facts the cmdlet layer needs: a stable error id, a category and what the user can do about it.
/// </summary>
internal sealed class CallRecordsException : Exception
{
    public CallRecordsException(string errorId, ErrorCategory category, string message, string? recommendedAction = null, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        RecommendedAction = recommendedAction;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorCategory Category { get; }
    public string? RecommendedAction { get; }
    public object? Target { get; }

    public static CallRecordsException NotConnected() => new(
        "NotConnected", ErrorCategory.ConnectionError,
        "Not connected to Microsoft Graph. " + (Connection.ConnectionRegistry.WhyNoDefault is { } why ? why + " " : "") +
        "Run Connect-CallRecordGraph first, or pass a connection with -Connection.",
        "Run Connect-CallRecordGraph (for example: Connect-CallRecordGraph -AccessToken $token), then run this command again.");

    /// <summary>A connection whose token can no longer be renewed (the secret, certificate or token it was made with is
    /// refused now): it is no longer the default, and using it again says why.</summary>
    public static CallRecordsException ConnectionBroken(Exception failure) => new(
        "ConnectionTokenNotRenewable", ErrorCategory.AuthenticationError,
        "This connection can no longer get a Microsoft Graph token, so it is not used any more: " + failure.Message,
        "Run Connect-CallRecordGraph again with a valid credential and use the new connection.");

    public static CallRecordsException ConnectionClosed() => new(
        "ConnectionClosed", ErrorCategory.ConnectionError,
        "This connection was closed by Disconnect-CallRecordGraph.",
        "Run Connect-CallRecordGraph again and use the new connection.");

    /// <summary>A pipeline input that names no call record, session or segment.</summary>
    public static CallRecordsException InputNotRecognized(string what) => new(
        "InputObjectNotRecognized", ErrorCategory.InvalidArgument,
        $"The input ({what}) names no call record, session or segment: pipe a call record, session, segment, participant or stream from these cmdlets, a call record id string, or an object (such as an Import-Csv row) with a CallRecordId (and SessionId, SegmentId) or Id property.",
        "Pipe the output of Get-CallRecord, Get-CallRecordSession, Get-CallRecordSegment or Get-CallRecordStream, an id string, or an Import-Csv row of their export.");
}
