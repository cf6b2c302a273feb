using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using System.Threading;
using CallRecords.Connection;
using CallRecords.Graph;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Base of the PSTN-type log cmdlets (Get-CallRecordPstnCall, -DirectRoutingCall, -SmsLog, -PstnBlockedUserLog,
/// -PstnDialoutReport): -StartDateTime/-EndDateTime as a half-open range split into Graph's 90-day windows, windows
/// read concurrently up to -ThrottleLimit inside the PSTN-type request budget, a client-side -UserPrincipalName
/// filter, -First/-Skip, and progress per window and page.
/// </summary>
public abstract class LogCmdlet<T> : CallRecordCmdlet where T : class
{
    /// <summary>Used when -StartDateTime is not given: this long before -EndDateTime.</summary>
    internal static readonly TimeSpan DefaultRange = TimeSpan.FromDays(30);

    /// <summary>
    /// How far back a start is taken as asked. Graph does not document how long it keeps the PSTN-type logs; the Teams
    /// admin center's PSTN and direct-routing reports go back a year. An earlier start (say [datetime]::MinValue,
    /// "everything") is clamped to this with a warning instead of being split into thousands of empty 90-day windows
    /// read one at a time (8,200 requests, about 40 minutes, before the first row).
    /// </summary>
    internal static readonly TimeSpan OldestStart = TimeSpan.FromDays(366);


    private PagingWindow? _window;
    private DateTimeOffset _start;
    private DateTimeOffset _end;
    private WildcardPattern[]? _users;

    /// <summary>Rows at or after this time (the row's own time; UTC on the wire).</summary>
    [Parameter(Position = 0)]
    [Alias("FromDateTime")]
    public DateTimeOffset? StartDateTime { get; set; }

    /// <summary>Rows before this time (exclusive). Defaults to now.</summary>
    [Parameter(Position = 1)]
    [Alias("ToDateTime")]
    public DateTimeOffset? EndDateTime { get; set; }

    /// <summary>Client-side: keep rows whose userPrincipalName matches any of these (wildcards allowed).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? UserPrincipalName { get; set; }

    /// <summary>90-day windows read at the same time (and the most requests in flight).</summary>
    [Parameter]
    [ValidateRange(1, 16)]
    public int ThrottleLimit { get; set; } = 4;

    internal abstract LogFunction<T> Function { get; }

    protected override void BeginProcessing()
    {
        var now = DateTimeOffset.UtcNow;
        if (StartDateTime is { } future && TimeRange.IsFuture(future, now))
            ThrowTerminatingError(TimeRange.StartInFuture(future));
        // No row can lie in the future: an end past now (plus clock skew) is refused like a start in the future,
        // rather than splitting up to the year 9999 and reading windows that can hold nothing.
        if (EndDateTime is { } endAt && TimeRange.IsFuture(endAt, now))
            ThrowTerminatingError(TimeRange.EndInFuture(endAt, now));
        _end = (EndDateTime ?? now).ToUniversalTime();
        _start = (StartDateTime ?? _end - DefaultRange).ToUniversalTime();
        if (_start < now - OldestStart && _end > now - OldestStart)
        {
            WriteWarning($"-StartDateTime {_start:u} is more than {OldestStart.TotalDays:0} days ago; Graph's PSTN-type logs do not reach that far back, so reading starts at {now - OldestStart:u}.");
            _start = now - OldestStart;
        }
        if (_end <= _start) ThrowTerminatingError(TimeRange.EndNotAfterStart(_start, _end, EndDateTime));
        _users = UserPrincipalName?.Select(CheckedPattern).ToArray();
        _window = new PagingWindow(PagingParameters.Skip, PagingParameters.First);
    }

    /// <summary>A -UserPrincipalName pattern, tried once here: a bad one ('[abc') is refused before any request.</summary>
    private WildcardPattern CheckedPattern(string text)
    {
        var pattern = new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        try
        {
            pattern.IsMatch("user@contoso.com");
        }
        catch (WildcardPatternException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "UserPrincipalNameInvalidPattern", ErrorCategory.InvalidArgument, text)
            {
                ErrorDetails = new ErrorDetails($"-UserPrincipalName '{text}' is not a valid wildcard pattern: {e.Message}")
                { RecommendedAction = "Use * and ? as wildcards; write a literal [ or ] as `[ or `] (backtick), e.g. 'user`[1`]@contoso.com'." },
            });
        }
        return pattern;
    }

    protected override void ProcessRecord() => RunStream<T>((op, ct) => _window!.Apply(ReadAsync(op, ct), ct));

    /// <summary>-First needs rows in order and nothing beyond them: windows are then read one by one, lazily.</summary>
    internal int EffectiveConcurrency => PagingParameters.First != ulong.MaxValue ? 1 : ThrottleLimit;

    private async IAsyncEnumerable<IReadOnlyList<T>> ReadAsync(CmdletOperation op, [EnumeratorCancellation] CancellationToken ct)
    {
        // The run's limiter bounds what is in flight (429 shrinks, 2xx grows); the connection's request budget paces
        // every request to Graph's PSTN-type windows (200 / 60 s, and 50 / 60 s per function), shared with other runs.
        var limiter = op.UseLimiter(EffectiveConcurrency);
        var reader = new LogReader(op.Pages);
        var windows = LogWindows.Split(_start, _end).Count;
        op.WriteVerbose($"{Function.Name}: {_start:u} – {_end:u} (end exclusive) in {windows} window(s) of at most 90 days, {EffectiveConcurrency} at a time.");
        // Like every list cmdlet: the total first. Graph's @odata.count on these functions counts one response, not the
        // range, so the total is unknown until the end (accuracy 0).
        if (PagingParameters.IncludeTotalCount) op.Post(c => c.WriteObject(c.PagingParameters.NewTotalCount(0, 0.0)));
        var progress = new PagingProgress(op, ProgressReporterIds.Log, MyInvocation.MyCommand.Name + ": reading " + Function.Name);
        try
        {
            await foreach (var page in reader.ReadAsync(Function, _start, _end, EffectiveConcurrency, limiter, ct).ConfigureAwait(false))
            {
                var kept = Filter(page.Items);
                var w = page.Window;
                progress.Window = string.Format(CultureInfo.InvariantCulture, "window {0} of {1} ({2}), page {3}", w.Index + 1, w.Count, w, page.Number);
                progress.Percent = (int)Math.Min(99, w.Index * 100L / w.Count);
                progress.Page(page.Items.Count, kept.Count);
                yield return kept;
            }
        }
        finally
        {
            progress.Complete();
        }
    }

    private IReadOnlyList<T> Filter(IReadOnlyList<T> items)
    {
        if (_users is null) return items;
        var kept = new List<T>(items.Count);
        foreach (var row in items)
            if (Function.UserPrincipalName(row) is { } upn && _users.Any(p => p.IsMatch(upn))) kept.Add(row);
        return kept;
    }
}
