using System;
using System.Diagnostics;
using System.Threading;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// At most one progress update per <see cref="MinimumInterval"/> (5 per second) for one progress bar, on every host:
/// Windows PowerShell 5.1's console renders every WriteProgress it is given (PowerShell 6+ drops the ones it cannot
/// show), and one per item or page slowed long listings down several times there. The first update always goes
/// through, so a bar appears as soon as there is something to say; completing a bar is never throttled (callers
/// write it directly). Thread-safe: the progress writers call it from the producer threads.
/// </summary>
internal sealed class ProgressThrottle
{
    /// <summary>200 ms: five updates a second, still a live bar.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(200);

    private readonly Func<TimeSpan> _clock;
    private readonly long _interval;
    private long _next = long.MinValue;

    public ProgressThrottle() : this(StopwatchClock(), IntervalOverride ?? MinimumInterval) { }

    /// <summary>Replaces <see cref="MinimumInterval"/> for throttles created from now on: the tests that check the text
    /// of every step set it to zero (they run one at a time), and the ones that check the rate leave it alone.</summary>
    internal static TimeSpan? IntervalOverride { get; set; }

    /// <param name="clock">Monotonic time, for tests.</param>
    /// <param name="interval">The least time between two progress records.</param>
    internal ProgressThrottle(Func<TimeSpan> clock, TimeSpan interval)
    {
        _clock = clock;
        _interval = interval.Ticks;
    }

    /// <summary>True when an update may be written now (and claims the slot: the next one is due an interval later).</summary>
    public bool TryTake()
    {
        var now = _clock().Ticks;
        while (true)
        {
            var next = Interlocked.Read(ref _next);
            if (now < next) return false;
            if (Interlocked.CompareExchange(ref _next, now + _interval, next) == next) return true;
        }
    }

    private static Func<TimeSpan> StopwatchClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }
}
