using System;

namespace CallRecords.Models;

/// <summary>What one Sync-CallRecord run did to its archive.</summary>
public sealed class CallRecordSyncResult
{
    /// <summary>The archive file (full path).</summary>
    public string Path { get; set; } = string.Empty;
    public string TenantId { get; set; } = string.Empty;
    /// <summary>Call records Graph listed in the window (the whole retained window unless -StartDateTime).</summary>
    public long Listed { get; set; }
    /// <summary>Records the archive did not have, written with everything below them.</summary>
    public long Added { get; set; }
    /// <summary>Records Graph listed with a higher version than the archived one, rewritten.</summary>
    public long Updated { get; set; }
    /// <summary>Records listed at the version the archive already has (not expanded).</summary>
    public long Unchanged { get; set; }
    /// <summary>Records read in full (sessions, segments, participants, organizer) in this run.</summary>
    public long Expanded { get; set; }
    /// <summary>Listed but gone (404) by the time they were expanded: aged out of Graph's 30 days mid-run.</summary>
    public long Vanished { get; set; }
    /// <summary>HTTP requests sent to Graph (every attempt, retries included).</summary>
    public long Requests { get; set; }
    /// <summary>getPstnCalls rows new to the archive (with -Include Pstn).</summary>
    public long PstnCallsAdded { get; set; }
    /// <summary>getDirectRoutingCalls rows new to the archive (with -Include DirectRouting).</summary>
    public long DirectRoutingCallsAdded { get; set; }
    /// <summary>Of <see cref="Duration"/>, the time spent writing to the archive (its transactions), so a slow disk shows.</summary>
    public TimeSpan WriteDuration { get; set; }
    public DateTimeOffset StartedOn { get; set; }
    public TimeSpan Duration { get; set; }
    /// <summary>False when the run stopped early (Ctrl+C, a failure); what it wrote is complete, the rest follows next run.</summary>
    public bool Completed { get; set; }

    public override string ToString() =>
        $"{Path}: listed {Listed}, added {Added}, updated {Updated}, unchanged {Unchanged}, expanded {Expanded}, requests {Requests}";
}
