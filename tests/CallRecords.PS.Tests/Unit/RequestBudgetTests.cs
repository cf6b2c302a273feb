using System.Diagnostics;
using System.Management.Automation;
using CallRecords.Connection;
using CallRecords.Runtime;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The connection's request budget: which windows a URL counts against, a full window holds the next request
/// until its oldest one leaves (on an injected clock), a 429 pauses the narrowest scope, and the ceilings' variable.</summary>
public sealed class RequestBudgetTests
{
    private const string Graph = "https://graph.microsoft.com/v1.0/communications/callRecords";

    [Theory]
    [InlineData(Graph, "List", null)]
    [InlineData(Graph + "?$skiptoken=abc", "List", null)]
    [InlineData(Graph + "/2f1a1100-b174-40a0-aba7-0b405e01ed92?$expand=sessions($expand=segments)", "Record", "2f1a1100-b174-40a0-aba7-0b405e01ed92")]
    [InlineData(Graph + "/2f1a1100-b174-40a0-aba7-0b405e01ed92/sessions/x/segments", "Record", "2f1a1100-b174-40a0-aba7-0b405e01ed92")]
    [InlineData(Graph + "/microsoft.graph.callRecords.getPstnCalls(fromDateTime=2026-10-01,toDateTime=2026-10-02)", "LogFunction", "getPstnCalls")]
    [InlineData(Graph + "/getDirectRoutingCalls(fromDateTime=2026-10-01,toDateTime=2026-10-02)", "LogFunction", "getDirectRoutingCalls")]
    [InlineData("https://graph.microsoft.com/v1.0/me", "Other", null)]
    public void A_url_counts_against_the_scope_graph_counts_it_in(string url, string kind, string? key)
    {
        var scope = RequestScope.Of(new Uri(url));
        Assert.Equal(kind, scope.Kind.ToString());
        Assert.Equal(key, scope.Key);
    }

    private sealed class Clock
    {
        public long Ticks = 1_000_000;
        public long Now() => Ticks;
        public void Advance(TimeSpan t) => Ticks += (long)(t.TotalSeconds * Stopwatch.Frequency);
    }

    [Fact]
    public async Task A_full_window_holds_the_next_request_until_the_oldest_has_been_back_for_the_window()
    {
        var clock = new Clock();
        var window = TimeSpan.FromMilliseconds(200);
        var budget = new RequestBudget(new RequestCeilings(app: new Ceiling(3, window)), clock.Now);
        var leases = new List<IDisposable>();
        for (var i = 0; i < 3; i++)
        {
            var admitted = budget.AdmitAsync(new Uri(Graph + "/r" + i), default);
            Assert.True(admitted.IsCompleted);
            leases.Add(await admitted);
        }
        var fourth = budget.AdmitAsync(new Uri(Graph), default);
        await Task.Delay(50);
        Assert.False(fourth.IsCompleted); // three in flight fill the window
        clock.Advance(TimeSpan.FromSeconds(5));
        leases[0].Dispose();              // the first answer arrives now: its window starts now, not when it left
        await Task.Delay(50);
        Assert.False(fourth.IsCompleted);
        clock.Advance(window + RequestBudget.Margin(window));
        using (await fourth.WaitAsync(TimeSpan.FromSeconds(10))) { }
        Assert.Equal(4, budget.Admitted);
        Assert.Equal(1, budget.Waited);
        leases[0].Dispose(); // twice is harmless
    }

    [Fact]
    public async Task The_per_record_window_holds_only_that_record()
    {
        var clock = new Clock();
        var budget = new RequestBudget(new RequestCeilings(record: new Ceiling(2, TimeSpan.FromSeconds(20))), clock.Now);
        (await budget.AdmitAsync(new Uri(Graph + "/a"), default)).Dispose();
        (await budget.AdmitAsync(new Uri(Graph + "/a/sessions"), default)).Dispose();
        var third = budget.AdmitAsync(new Uri(Graph + "/a?$expand=organizer_v2"), default);
        Assert.True(budget.AdmitAsync(new Uri(Graph + "/b"), default).IsCompleted);
        await Task.Delay(30);
        Assert.False(third.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(21));
        await third.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_429_pauses_the_narrowest_scope_for_its_retry_after()
    {
        var clock = new Clock();
        var budget = new RequestBudget(new RequestCeilings(), clock.Now);
        budget.Throttled(new Uri(Graph), TimeSpan.FromSeconds(2));
        var list = budget.AdmitAsync(new Uri(Graph + "?$skiptoken=x"), default);
        Assert.True(budget.AdmitAsync(new Uri(Graph + "/a"), default).IsCompleted); // a record is not the list
        await Task.Delay(30);
        Assert.False(list.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        await list.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_ceilings_variable_replaces_graphs_numbers_and_refuses_nonsense()
    {
        var c = RequestCeilings.Parse("app=150/2; list=4/2, function=5/6");
        Assert.Equal(150, c.App.Limit);
        Assert.Equal(TimeSpan.FromSeconds(2), c.App.Window);
        Assert.Equal(4, c.List.Limit);
        Assert.Equal(40, c.PerRecord.Limit); // not given: Graph's
        Assert.Equal(5, c.PstnFunction.Limit);
        Assert.Throws<FormatException>(() => RequestCeilings.Parse("app=fast"));
        Assert.Throws<FormatException>(() => RequestCeilings.Parse("bogus=1/1"));
        Assert.Equal(1500, new RequestCeilings().App.Limit);
        Assert.Equal(TimeSpan.FromSeconds(60), new RequestCeilings().PstnFunction.Window);
    }
}

/// <summary>How a piped object or an Import-Csv row resolves to the level it names.</summary>
public sealed class CallRecordTargetTests
{
    private const string R = "2f1a1100-b174-40a0-aba7-0b405e01ed92";
    private const string S = "e523d2ed-2966-4b6b-925b-754a88034cc5";
    private const string G = "821809f5-0000-0000-0000-3b5136c0e777";

    private static PSObject Row(params (string Name, object? Value)[] columns)
    {
        var o = new PSObject();
        foreach (var (n, v) in columns) o.Properties.Add(new PSNoteProperty(n, v));
        return o;
    }

    [Fact]
    public void Rows_resolve_by_their_columns()
    {
        var stream = CallRecordTarget.Resolve(Row(("CallRecordId", R), ("SessionId", S), ("SegmentId", G), ("StreamId", "1")));
        Assert.Equal((TargetLevel.Segment, G, 3), (stream.Level, stream.SegmentId, stream.Depth));
        // A segment row whose id equals its session's (as in Microsoft's example): the Media column decides.
        var segment = CallRecordTarget.Resolve(Row(("CallRecordId", R), ("SessionId", S), ("Id", S), ("Media", "")));
        Assert.Equal((TargetLevel.Segment, S, S, 2), (segment.Level, segment.SessionId, segment.SegmentId, segment.Depth));
        // A session row carries SessionId (= Id) too: its Modalities/Segments columns decide.
        var session = CallRecordTarget.Resolve(Row(("CallRecordId", R), ("Id", S), ("SessionId", S), ("Modalities", "audio"), ("Segments", "")));
        Assert.Equal((TargetLevel.Session, S), (session.Level, session.SessionId));
        var participant = CallRecordTarget.Resolve(Row(("CallRecordId", R), ("Id", "user-1"), ("IsOrganizer", "True")));
        Assert.Equal((TargetLevel.Record, R), (participant.Level, participant.CallRecordId));
        var record = CallRecordTarget.Resolve(Row(("Id", R), ("CallRecordId", R), ("Version", "2")));
        Assert.Equal((TargetLevel.Record, R), (record.Level, record.CallRecordId));
        var handMade = CallRecordTarget.Resolve(Row(("CallRecordId", R), ("SessionId", S)));
        Assert.Equal((TargetLevel.Session, S), (handMade.Level, handMade.SessionId));
        Assert.Equal(TargetLevel.Record, CallRecordTarget.Resolve(R).Level);
        Assert.Equal(TargetLevel.Record, CallRecordTarget.Resolve(new PSObject(" " + R + " ")).Level);
    }

    [Fact]
    public void An_input_that_names_nothing_or_a_bad_id_is_refused_in_words()
    {
        var none = Assert.Throws<CallRecordsException>(() => CallRecordTarget.Resolve(Row(("Name", "x"))));
        Assert.Equal("InputObjectNotRecognized", none.ErrorId);
        Assert.Equal("InputObjectNotRecognized", Assert.Throws<CallRecordsException>(() => CallRecordTarget.Resolve(42)).ErrorId);
        var bad = Assert.Throws<CallRecordsException>(() => CallRecordTarget.Resolve(Row(("CallRecordId", "a/b"), ("SessionId", S))));
        Assert.NotEqual("InputObjectNotRecognized", bad.ErrorId);
    }
}
