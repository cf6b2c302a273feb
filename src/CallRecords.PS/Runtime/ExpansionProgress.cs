using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// Write-Progress for per-record work (sessions, segments, participants, streams or an expanded GET fetched for each
/// input): inputs done so far, HTTP requests, rate, and the input just finished; "n of total" and a percentage only
/// when the total is known up front (ids given as a parameter, not piped), since counting piped input would mean
/// buffering the pipeline. One bar per cmdlet invocation, across every ProcessRecord; silent when
/// <see cref="ProgressPolicy"/> turned progress off (<see cref="CmdletOperation.ShowProgress"/>), and at most five
/// records a second otherwise (<see cref="ProgressThrottle"/>).
/// </summary>
internal sealed class ExpansionProgress
{
    /// <summary>Write-Progress activity ids, distinct per kind of bar so nested bars never merge.</summary>
    public const int ExpandActivityId = ProgressReporterIds.Expand;
    public const int FanOutActivityId = ProgressReporterIds.FanOut;

    private readonly int _activityId;
    private readonly string _activity;
    private readonly string _unit;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly ProgressThrottle _throttle = new();
    private long _requests;
    private long _done;
    private int _started;

    /// <param name="unit">What is counted, with its verb: "call records expanded", "sessions read" …</param>
    /// <param name="activityId">The progress activity id of the run.</param>
    /// <param name="activity">The bar's activity text.</param>
    public ExpansionProgress(int activityId, string activity, string unit)
    {
        _activityId = activityId;
        _activity = activity;
        _unit = unit;
    }

    /// <summary>How many inputs there will be, when known before the first one finishes; null otherwise.</summary>
    public int? Total { get; set; }

    /// <summary>Inputs finished so far.</summary>
    public long Done => Interlocked.Read(ref _done);

    /// <summary>Counts the requests of <paramref name="op"/> from now on (list pages and per-record requests alike).</summary>
    public void Observe(CmdletOperation op) => op.RequestObserved += () => Interlocked.Increment(ref _requests);

    /// <summary>One input finished (called in output order, by one consumer at a time); <paramref name="current"/>
    /// names it ("call record …").</summary>
    public void Item(CmdletOperation op, string current)
    {
        var done = Interlocked.Increment(ref _done);
        if (!op.ShowProgress) return;
        Interlocked.Exchange(ref _started, 1);
        if (!_throttle.TryTake()) return;
        var requests = Interlocked.Read(ref _requests);
        var seconds = _watch.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? done / seconds : 0;
        var inv = CultureInfo.InvariantCulture;
        var count = Total is { } total && total > 0
            ? string.Format(inv, "{0} of {1} {2}", done, total, _unit)
            : string.Format(inv, "{0} {1}", done, _unit);
        var status = string.Format(inv, "{0}, {1} request{2} ({3:0.#} per second)", count, requests, requests == 1 ? "" : "s", rate);
        var record = new ProgressRecord(_activityId, _activity, status) { CurrentOperation = current };
        if (Total is { } t && t > 0) record.PercentComplete = (int)Math.Min(100, done * 100 / t);
        op.Post(c => c.WriteProgress(record));
    }

    /// <summary>Removes the bar from the producer's side (posted after everything else of the run).</summary>
    public void Complete(CmdletOperation op)
    {
        if (Interlocked.Exchange(ref _started, 0) == 0) return;
        var record = Completed();
        op.Post(c => c.WriteProgress(record));
    }

    /// <summary>Removes the bar from the pipeline thread (EndProcessing of a cmdlet that ran one stream per input).</summary>
    public void Complete(Cmdlet cmdlet)
    {
        if (Interlocked.Exchange(ref _started, 0) == 0) return;
        cmdlet.WriteProgress(Completed());
    }

    private ProgressRecord Completed() => new(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed };
}
