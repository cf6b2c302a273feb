using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// Write-Progress for a listing that spans pages: records read so far, pages, rate, and the current query window.
/// Built on the producer thread and handed to the pipeline thread through <see cref="CmdletOperation.Post"/>;
/// nothing is built when <see cref="ProgressPolicy"/> has turned progress off for the run, and at most five records a
/// second otherwise (<see cref="ProgressThrottle"/>).
/// </summary>
internal sealed class PagingProgress
{
    private readonly CmdletOperation _operation;
    private readonly int _activityId;
    private readonly string _activity;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly ProgressThrottle _throttle = new();
    private long _read;
    private long _kept;
    private int _pages;
    private bool _started;

    public PagingProgress(CmdletOperation operation, int activityId, string activity)
    {
        _operation = operation;
        _activityId = activityId;
        _activity = activity;
    }

    /// <summary>What is being read now (the time window, the participant …), shown as the current operation.</summary>
    public string? Window { get; set; }

    /// <summary>How far through, when the reader knows (the log functions' windows); -1 otherwise.</summary>
    public int Percent { get; set; } = -1;

    /// <summary>One page arrived: <paramref name="read"/> items from Graph, <paramref name="kept"/> after client-side filters.</summary>
    public void Page(int read, int kept)
    {
        if (!_operation.ShowProgress) return;
        _started = true;
        _pages++;
        _read += read;
        _kept += kept;
        if (!_throttle.TryTake()) return;
        var seconds = _watch.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? _read / seconds : 0;
        var status = string.Format(CultureInfo.InvariantCulture, "{0} records read in {1} page{2} ({3:0} records/s)",
            _read, _pages, _pages == 1 ? "" : "s", rate);
        if (_kept != _read) status += string.Format(CultureInfo.InvariantCulture, "; {0} kept by the client-side filters", _kept);
        var record = new ProgressRecord(_activityId, _activity, status) { CurrentOperation = Window, PercentComplete = Percent };
        _operation.Post(c => c.WriteProgress(record));
    }

    /// <summary>Removes the bar (the listing ended, or -First stopped it).</summary>
    public void Complete()
    {
        if (!_started) return;
        var record = new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed };
        _operation.Post(c => c.WriteProgress(record));
    }
}
