using System;
using System.Management.Automation;

namespace CallRecords.Runtime;

/// <summary>The checks every cmdlet with -StartDateTime/-EndDateTime makes, worded once.</summary>
internal static class TimeRange
{
    /// <summary>Clock skew allowed before a time counts as in the future.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public static bool IsFuture(DateTimeOffset t, DateTimeOffset now) => t > now + FutureTolerance;

    /// <summary>A range that starts in the future can hold nothing: said plainly instead of returning nothing.</summary>
    public static ErrorRecord StartInFuture(DateTimeOffset start) =>
        new(new ArgumentException("StartDateTime is in the future."), "StartDateTimeInFuture", ErrorCategory.InvalidArgument, start)
        {
            ErrorDetails = new ErrorDetails($"-StartDateTime ({start.ToUniversalTime():u}) is in the future (now {DateTimeOffset.UtcNow:u}); no call can have started yet. Give a past time, such as (Get-Date).AddDays(-1)."),
        };

    /// <summary>No row can lie in the future: an end past now is refused rather than read.</summary>
    public static ErrorRecord EndInFuture(DateTimeOffset end, DateTimeOffset now) =>
        new(new ArgumentException("EndDateTime is in the future."), "EndDateTimeInFuture", ErrorCategory.InvalidArgument, end)
        {
            ErrorDetails = new ErrorDetails($"-EndDateTime ({end.ToUniversalTime():u}) is in the future (now {now:u}); no row can be logged there yet. Leave -EndDateTime out to read up to now.")
            { RecommendedAction = "Leave out -EndDateTime (it defaults to now), or give a past time such as (Get-Date).Date for today's midnight." },
        };

    public static ErrorRecord EndNotAfterStart(DateTimeOffset start, DateTimeOffset end, object? target) =>
        new(new ArgumentException("EndDateTime must be later than StartDateTime."), "EndDateTimeNotAfterStartDateTime", ErrorCategory.InvalidArgument, target)
        {
            ErrorDetails = new ErrorDetails($"-EndDateTime ({end.ToUniversalTime():u}) must be later than -StartDateTime ({start.ToUniversalTime():u}).")
        };
}
