using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using System.Text.Json;
using System.Threading;
using CallRecords.Models;
using CallRecords.Models.Mapping;

namespace CallRecords.Graph;

/// <summary>
/// One of Graph's PSTN-type log functions (getPstnCalls, getDirectRoutingCalls and the beta logs): its name, its
/// mapper, the row's time (what the user's range applies to) and the key that identifies a row at window edges.
/// </summary>
internal sealed class LogFunction<T> where T : class
{
    public LogFunction(string name, bool betaOnly, Func<JsonElement, TimeWindow, T?> map, Func<T, DateTimeOffset?>? time, Func<T, string?> key,
        Func<T, string?> userPrincipalName)
    {
        Name = name;
        BetaOnly = betaOnly;
        Map = map;
        Time = time;
        Key = key;
        UserPrincipalName = userPrincipalName;
    }

    /// <summary>The function's name in the URL, e.g. getPstnCalls.</summary>
    public string Name { get; }
    /// <summary>Exists only under /beta: always sent there, whatever the connection's version.</summary>
    public bool BetaOnly { get; }
    public Func<JsonElement, TimeWindow, T?> Map { get; }
    /// <summary>The row's own time; null for rows that carry none (the dial-out report's aggregates).</summary>
    public Func<T, DateTimeOffset?>? Time { get; }
    /// <summary>What makes a row unique (its id, or a composite key for rows without one); null: never deduplicated.</summary>
    public Func<T, string?> Key { get; }
    public Func<T, string?> UserPrincipalName { get; }
}

/// <summary>The five log functions of the module.</summary>
internal static class LogFunctions
{
    public static readonly LogFunction<PstnCallLogRow> PstnCalls = new("getPstnCalls", false,
        (e, _) => PstnCallLogRowMapper.Map(e), r => r.StartDateTime, r => NonEmpty(r.Id), r => r.UserPrincipalName);

    public static readonly LogFunction<DirectRoutingLogRow> DirectRoutingCalls = new("getDirectRoutingCalls", false,
        (e, _) => DirectRoutingLogRowMapper.Map(e), r => r.StartDateTime, r => NonEmpty(r.Id), r => r.UserPrincipalName);

    public static readonly LogFunction<SmsLogRow> SmsLog = new("getSmsLog", true,
        (e, _) => SmsLogRowMapper.Map(e), r => r.SentDateTime, r => NonEmpty(r.Id), r => r.UserPrincipalName);

    /// <summary>Blocked-user rows have no id: user, time, remediation id and mode together identify one.</summary>
    public static readonly LogFunction<PstnBlockedUsersLogRow> PstnBlockedUsersLog = new("getPstnBlockedUsersLog", true,
        (e, _) => PstnBlockedUsersLogRowMapper.Map(e), r => r.BlockDateTime,
        r => string.Join("|", r.UserId, r.BlockDateTime?.UtcTicks.ToString(CultureInfo.InvariantCulture), r.RemediationId, r.UserBlockMode),
        r => r.UserPrincipalName);

    /// <summary>The dial-out report aggregates over the range asked for and carries no time of its own, so rows at a
    /// window edge cannot be recognised: instead its windows are asked for disjointly (see <see cref="LogReader"/>),
    /// and identical aggregates of different windows are distinct rows, never merged.</summary>
    public static readonly LogFunction<PstnOnlineMeetingDialoutReport> PstnOnlineMeetingDialoutReport = new("getPstnOnlineMeetingDialoutReport", true,
        (e, w) => PstnOnlineMeetingDialoutReportMapper.Map(e, w.Start, w.End), null, _ => null, r => r.UserPrincipalName);

    private static string? NonEmpty(string? id) => string.IsNullOrEmpty(id) ? null : id;
}

/// <summary>One page of a log function, after edge deduplication, with where it came from.</summary>
internal sealed class LogPage<T>
{
    public LogPage(TimeWindow window, int number, IReadOnlyList<T> items)
    {
        Window = window;
        Number = number;
        Items = items;
    }

    public TimeWindow Window { get; }
    /// <summary>1-based page number within the window.</summary>
    public int Number { get; }
    public IReadOnlyList<T> Items { get; }
}

/// <summary>
/// Reads a log function over any range as [start, end), half-open on the row's own time, whatever Graph does with
/// toDateTime (its docs call it inclusive for getPstnCalls and exclusive for getDirectRoutingCalls):
/// <list type="bullet">
/// <item>the range is split into ≤ 90-day windows (Graph refuses longer ones) that meet edge to edge;</item>
/// <item>each window is asked for as fromDateTime = its start, toDateTime = its end; a row that lies exactly on an
/// inner edge may then come from both neighbours, so rows of the next window whose key was seen at the end of the
/// previous one (time ≥ the edge) are dropped; rows at or after the range's end are dropped;</item>
/// <item>rows without a time of their own (the dial-out report) cannot be placed at an edge, so their windows are
/// asked for disjointly instead: toDateTime = the window's end minus 100 ns;</item>
/// <item>every window is paged with the one page streamer, following its nextLinks as returned; windows run
/// concurrently through <see cref="OrderedFanOut"/> and each request takes a lease of the <see cref="AdaptiveConcurrencyLimiter"/>;
/// pages come out in window order, so rows stay in time order.</item>
/// </list>
/// </summary>
internal sealed class LogReader
{
    /// <summary>Pages a window that is not being read may hold before it waits (1,000 rows each).</summary>
    public const int BufferedPagesPerWindow = 8;

    private readonly PageStreamer _pages;

    public LogReader(PageStreamer pages) => _pages = pages;

    /// <summary>The request for one window (relative path; beta-only functions pinned to /beta).</summary>
    public static GraphQuery WindowQuery<T>(LogFunction<T> function, TimeWindow window) where T : class
    {
        var to = function.Time is null ? window.End.AddTicks(-1) : window.End;
        var query = GraphQuery.ForPath($"communications/callRecords/{function.Name}(fromDateTime={ODataFilter.DateTime(window.Start)},toDateTime={ODataFilter.DateTime(to)})");
        return function.BetaOnly ? query.WithApiVersion("beta") : query;
    }

    /// <param name="maxConcurrency">Windows read at the same time; 1 reads them one after the other, lazily.</param>
    /// <param name="limiter">Admits each page request (concurrency that adapts to 429s, rate budget); null: none.</param>
    public async IAsyncEnumerable<LogPage<T>> ReadAsync<T>(LogFunction<T> function, DateTimeOffset start, DateTimeOffset end,
        int maxConcurrency, AdaptiveConcurrencyLimiter? limiter, [EnumeratorCancellation] CancellationToken cancellationToken = default) where T : class
    {
        var windows = LogWindows.Split(start, end);
        var last = windows[windows.Count - 1].End;
        var current = -1;
        HashSet<string>? previousEdge = null;
        var edge = new HashSet<string>(StringComparer.Ordinal);
        var options = new FanOutOptions { MaxInFlight = maxConcurrency, MaxBufferedPerItem = BufferedPagesPerWindow };
        await foreach (var (window, page) in OrderedFanOut.StreamAsync(OrderedFanOut.Items(windows),
                           (w, ct) => WindowPagesAsync(function, w, limiter, ct), options, cancellationToken).ConfigureAwait(false))
        {
            if (window.Index != current)
            {
                current = window.Index;
                previousEdge = edge.Count > 0 ? edge : null;
                edge = new HashSet<string>(StringComparer.Ordinal);
            }
            var kept = new List<T>(page.Items.Count);
            foreach (var row in page.Items)
            {
                var time = function.Time?.Invoke(row);
                if (time is { } t && t >= last) continue;
                var key = function.Key(row);
                if (key is not null)
                {
                    if (previousEdge is not null && previousEdge.Contains(key)) continue;
                    // Rows at (or, from a lenient server, past) the window's end, or without a time, may come again
                    // from the next window.
                    if (!window.IsLast && (time is null || time >= window.End)) edge.Add(key);
                }
                kept.Add(row);
            }
            yield return new LogPage<T>(window, page.Number, kept);
        }
    }

    private async IAsyncEnumerable<(TimeWindow, GraphPage<T>)> WindowPagesAsync<T>(LogFunction<T> function, TimeWindow window,
        AdaptiveConcurrencyLimiter? limiter, [EnumeratorCancellation] CancellationToken cancellationToken) where T : class
    {
        // Graph's PSTN-type ceilings (200 / 60 s together, 50 / 60 s per function) are paced by the connection's request
        // budget (Connection/RequestBudget), which every request passes; the limiter bounds what is in flight.
        var pages = _pages.StreamAsync(WindowQuery(function, window), e => function.Map(e, window), cancellationToken);
        var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                // One MoveNextAsync is one page request (with its retries); the last page has no nextLink, so the
                // loop ends without asking the streamer (and the limiter) once more.
                bool moved;
                using (limiter is null ? null : await limiter.AcquireAsync(cancellationToken).ConfigureAwait(false))
                    moved = await enumerator.MoveNextAsync().ConfigureAwait(false);
                if (!moved) yield break;
                var page = enumerator.Current;
                yield return (window, page);
                if (page.NextLink is null) yield break;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }
}
