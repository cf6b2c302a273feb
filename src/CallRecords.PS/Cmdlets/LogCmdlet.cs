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

    /// <summary>Graph's PSTN-type budget per app per tenant (200 requests / 60 s), one per connection. The client's
    /// window is a second longer: Graph counts a request when it arrives, and the first requests of a run arrive
    /// late (connection setup), so an exact 60 s window lets a later, faster request land inside Graph's window.</summary>
    internal static Func<RequestRateWindow> PstnBudget { get; set; } = () => new RequestRateWindow(200, TimeSpan.FromSeconds(61));

    private static readonly ConditionalWeakTable<CallRecordConnection, RequestRateWindow> Budgets = new();

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
        _end = (EndDateTime ?? DateTimeOffset.UtcNow).ToUniversalTime();
        _start = (StartDateTime ?? _end - DefaultRange).ToUniversalTime();
        if (_end <= _start)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("EndDateTime must be later than StartDateTime."),
                "EndDateTimeNotAfterStartDateTime", ErrorCategory.InvalidArgument, EndDateTime)
            {
                ErrorDetails = new ErrorDetails($"-EndDateTime ({_end:u}) must be later than -StartDateTime ({_start:u}).")
            });
        }
        if (StartDateTime is { } future && future > DateTimeOffset.UtcNow + GetCallRecordCommand.FutureTolerance)
            ThrowTerminatingError(GetCallRecordCommand.StartInFuture(future));
        _users = UserPrincipalName?.Select(u => new WildcardPattern(u, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();
        _window = new PagingWindow(PagingParameters.Skip, PagingParameters.First);
    }

    protected override void ProcessRecord() => RunStream<T>((op, ct) => _window!.Apply(ReadAsync(op, ct), ct));

    /// <summary>-First needs rows in order and nothing beyond them: windows are then read one by one, lazily.</summary>
    internal int EffectiveConcurrency => PagingParameters.First != ulong.MaxValue ? 1 : ThrottleLimit;

    private async IAsyncEnumerable<IReadOnlyList<T>> ReadAsync(CmdletOperation op, [EnumeratorCancellation] CancellationToken ct)
    {
        var budget = Budgets.GetValue(op.Connection, _ => PstnBudget());
        // The run's limiter: every HTTP attempt the operation observes feeds it (429 shrinks, 2xx grows).
        var limiter = op.UseLimiter(EffectiveConcurrency);
        limiter.Rate = budget;
        var pages = op.Connection.Session.CreateStreamer(op);
        pages.Retrying += op.WriteVerbose;
        var reader = new LogReader(pages);
        var activity = MyInvocation.MyCommand.Name;
        var windows = LogWindows.Split(_start, _end).Count;
        op.WriteVerbose($"{Function.Name}: {_start:u} – {_end:u} (end exclusive) in {windows} window(s) of at most 90 days, {EffectiveConcurrency} at a time.");
        long rows = 0;
        var throttle = new ProgressThrottle();
        await foreach (var page in reader.ReadAsync(Function, _start, _end, EffectiveConcurrency, limiter, ct).ConfigureAwait(false))
        {
            var kept = Filter(page.Items);
            rows += kept.Count;
            if (op.ShowProgress && throttle.TryTake())
            {
                var w = page.Window;
                var status = string.Format(CultureInfo.InvariantCulture, "Window {0} of {1} ({2}), page {3}: {4:N0} rows so far",
                    w.Index + 1, w.Count, w, page.Number, rows);
                var percent = (int)Math.Min(99, w.Index * 100L / w.Count);
                op.Post(c => c.WriteProgress(new ProgressRecord(1, activity, status) { PercentComplete = percent }));
            }
            yield return kept;
        }
        if (op.ShowProgress) op.Post(c => c.WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed }));
        if (PagingParameters.IncludeTotalCount)
            op.Post(c => c.WriteObject(c.PagingParameters.NewTotalCount((ulong)rows, 1.0)));
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
