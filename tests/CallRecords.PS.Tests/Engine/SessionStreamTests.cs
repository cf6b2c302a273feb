using System.Management.Automation;
using CallRecords.Models;
using CallRecords.PS.Tests.TestSupport;
using GraphEmulator;
using GraphEmulator.Data;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

/// <summary>Sessions, segments, participants and stream rows in the hosted engine, against the emulator's ground truth.</summary>
[Collection(EngineCollection.Name)]
public sealed class SessionStreamTests
{
    private readonly EngineFixture _f;

    public SessionStreamTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    private CallRecordEntry Large => _f.Retained().First(r => r.SessionCount > 60 && r.ParticipantCount > 130);

    private List<string> SessionIds(int index) => _f.Host.Data.BuildSessions(index).Select(s => s!["id"]!.GetValue<string>()).ToList();

    private IReadOnlyList<SessionTruth> Sessions(string callRecordId) => _f.Host.Truth.Sessions(callRecordId)!;

    [Fact]
    public void SessionsOfALargeCallFollowTheNextLinkAndNoneRepeats()
    {
        var big = Large;
        var run = _f.Run("Get-CallRecordSession -CallRecordId $id", Vars(("id", big.Id)));
        Assert.Empty(run.Errors);
        var sessions = run.Objects<CallRecordSession>();
        TruthAssert.Equal(Sessions(big.Id).Select(s => s.Id), sessions.Select(s => s.Id), "sessions of a large call");
        Assert.All(sessions, s => { Assert.Equal(big.Id, s.CallRecordId); Assert.Null(s.Segments); });
        // One read of the record with its sessions expanded, and the nested sessions pages behind it (a large call has them).
        Assert.Equal(1, EngineFixture.Count(_f.Host, Routes.GetCallRecord));
        Assert.True(EngineFixture.Count(_f.Host, Routes.ListSessions) >= 1, "the nested sessions nextLink was not followed");
    }

    [Fact]
    public void ExpandSegmentBringsEverySessionsSegmentsAndSegmentCmdletUsesThem()
    {
        var big = Large;
        var run = _f.Run("$s = Get-CallRecordSession $id -ExpandSegment; $s; $s | Get-CallRecordSegment", Vars(("id", big.Id)));
        Assert.Empty(run.Errors);
        var sessions = run.Objects<CallRecordSession>();
        var segments = run.Objects<CallRecordSegment>();
        var truth = Sessions(big.Id);
        TruthAssert.Equal(truth.Select(s => s.Id), sessions.Select(s => s.Id), "sessions of a large call");
        for (var i = 0; i < truth.Count; i++)
            TruthAssert.Equal(truth[i].SegmentIds, sessions[i].Segments!.Select(g => g.Id), $"segments expanded in session {truth[i].Id}");
        TruthAssert.Equal(truth.SelectMany(s => s.SegmentIds), segments.Select(g => g.Id), "segments of the piped sessions");
        Assert.All(segments, g => Assert.Equal(big.Id, g.CallRecordId));
        Assert.Equal(0, EngineFixture.Count(_f.Host, Routes.ListSegments));
    }

    [Fact]
    public void SegmentsByIdAndFromSessionsWithoutSegments()
    {
        // A call with several sessions, one of them with several segments: by id, only that session's come back.
        var rec = _f.Retained().First(r => r.Type == "peerToPeer" && Sessions(r.Id).Count > 1 && Sessions(r.Id).Any(s => s.SegmentIds.Count > 1));
        var truth = Sessions(rec.Id);
        var run = _f.Run("Get-CallRecordSession -CallRecordId $id | Get-CallRecordSegment", Vars(("id", rec.Id)));
        Assert.Empty(run.Errors);
        TruthAssert.Equal(truth.SelectMany(s => s.SegmentIds), run.Objects<CallRecordSegment>().Select(g => g.Id), "segments of every session");

        var session = truth.First(s => s.SegmentIds.Count > 1);
        var byId = _f.Run("Get-CallRecordSegment -CallRecordId $id -SessionId $sid", Vars(("id", rec.Id), ("sid", session.Id)));
        Assert.Empty(byId.Errors);
        TruthAssert.Equal(session.SegmentIds, byId.Objects<CallRecordSegment>().Select(g => g.Id), $"segments of session {session.Id}");
        Assert.All(byId.Objects<CallRecordSegment>(), g => Assert.Equal(session.Id, g.SessionId));
    }

    [Fact]
    public void SessionsByIdAndAnUnknownSessionIsANonTerminatingError()
    {
        var rec = _f.Retained().First(r => r.SessionCount >= 3);
        var ids = SessionIds(rec.Index);
        var run = _f.Run("Get-CallRecordSession -CallRecordId $id -Id $a, 'nope', $b", Vars(("id", rec.Id), ("a", ids[2]), ("b", ids[0])));
        Assert.Equal(new[] { ids[2], ids[0] }, run.Objects<CallRecordSession>().Select(s => s.Id));
        var error = Assert.Single(run.Errors);
        Assert.Equal("SessionNotFound,CallRecords.Cmdlets.GetCallRecordSessionCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Session 'nope' was not found", error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordsFromTheListBindBySessionAndOrderIsKept()
    {
        var first = _f.Retained().Take(6).ToList();
        var run = _f.Run("Get-CallRecord -First 6 | Get-CallRecordSession -ThrottleLimit 3");
        Assert.Empty(run.Errors);
        Assert.Equal(first.SelectMany(r => SessionIds(r.Index)), run.Objects<CallRecordSession>().Select(s => s.Id));
        var unknown = _f.Run("'00000000-0000-0000-0000-00000000dead', $id | Get-CallRecordSession", Vars(("id", first[0].Id)));
        Assert.Equal(SessionIds(first[0].Index), unknown.Objects<CallRecordSession>().Select(s => s.Id));
        Assert.Equal("CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordSessionCommand", Assert.Single(unknown.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void ParticipantsBeyond130WithIdentityDetailsAndTheOrganizerMarked()
    {
        var big = Large;
        var run = _f.Run("Get-CallRecordParticipant -CallRecordId $id", Vars(("id", big.Id)));
        Assert.Empty(run.Errors);
        var participants = run.Objects<CallRecordParticipant>();
        Assert.True(participants.Count > 130);
        Assert.Equal(big.ParticipantIds, participants.Select(p => p.Id));
        Assert.True(EngineFixture.Count(_f.Host, Routes.ListParticipants) >= 2, "the participants_v2 nextLink was not followed");

        var truth = _f.Host.Data.BuildParticipants(big.Index);
        for (var i = 0; i < participants.Count; i++)
        {
            var set = truth[i]!["identity"]!.AsObject();
            var (kind, identity) = set.First(kv => kv.Value is not null);
            var p = participants[i];
            Assert.Equal(kind, p.Kind);
            Assert.Equal(identity!["id"]!.GetValue<string>(), p.IdentityId);
            Assert.Equal(identity["displayName"]?.GetValue<string>(), p.DisplayName);
            Assert.Equal(identity["tenantId"]?.GetValue<string>(), p.TenantId);
            Assert.Equal(identity["userPrincipalName"]?.GetValue<string>(), p.UserPrincipalName);
            var units = truth[i]!["administrativeUnitInfos"]?.AsArray().Select(u => u!["id"]!.GetValue<string>()).ToList() ?? new List<string>();
            Assert.Equal(units, p.AdministrativeUnitIds);
        }
        var organizer = Assert.Single(participants, p => p.IsOrganizer);
        Assert.Equal(big.ParticipantIds[0], organizer.Id);

        var only = _f.Run("Get-CallRecordParticipant -CallRecordId $id -Organizer", Vars(("id", big.Id)));
        var o = Assert.Single(only.Objects<CallRecordParticipant>());
        Assert.True(o.IsOrganizer);
        Assert.Equal(organizer.IdentityId, o.IdentityId);
    }

    [Fact]
    public void ParticipantKindsIncludeTheUndeclaredOnes()
    {
        var ids = _f.Retained().Where(r => r.Type == "groupCall").Take(40).Select(r => r.Id).ToArray();
        var run = _f.Run("$ids | Get-CallRecordParticipant", Vars(("ids", ids)));
        Assert.Empty(run.Errors);
        var kinds = run.Objects<CallRecordParticipant>().Select(p => p.Kind).ToHashSet();
        Assert.Contains("user", kinds);
        Assert.Contains("acsUser", kinds);
        Assert.Contains("spoolUser", kinds);
        Assert.Contains("guest", kinds);
        Assert.Contains("phone", kinds);
    }

    /// <summary>Every stream row of the records, compared with the emulator's designed class of every stream.</summary>
    private void AssertMatchesTruth(IEnumerable<CallRecordEntry> records, IReadOnlyList<CallRecordStream> rows, bool poorOnly = false)
    {
        var truth = records.SelectMany(r => _f.Host.Data.Streams(r.Index)).Where(t => !poorOnly || t.Quality == StreamQualities.Poor).ToList();
        Assert.Equal(truth.Count, rows.Count);
        for (var i = 0; i < truth.Count; i++)
        {
            var t = truth[i];
            var r = rows[i];
            var where = $"stream {i} ({t.CallRecordId}/{t.SessionId}/{t.SegmentId}/{t.StreamId})";
            Assert.True(t.CallRecordId == r.CallRecordId && t.SessionId == r.SessionId && t.SegmentId == r.SegmentId && t.StreamId == r.StreamId, where + ": ids");
            Assert.True(t.StreamDirection == r.StreamDirection && t.MediaLabel == r.MediaLabel, where + ": direction/label");
            Assert.True(t.Kind == r.StreamKind.ToString(), $"{where}: kind {r.StreamKind}, designed {t.Kind}");
            Assert.True(t.Quality == r.Quality.ToString(), $"{where}: classified {r.Quality} ({r.PoorReasons}), designed {t.Quality} ({t.PoorReason})");
            Assert.Equal(t.PoorReason is null ? Array.Empty<string>() : new[] { t.PoorReason }, r.PoorReasons);
        }
    }

    [Fact]
    public void StreamQualityAgreesWithTheGroundTruthForEveryStreamOfASample()
    {
        // Every 7th retained record plus the large ones: peer-to-peer, group, short and long calls.
        var sample = _f.Retained().Where((r, i) => i % 7 == 0 || r.SessionCount > 60).ToList();
        var run = _f.Run("Get-CallRecordStream -CallRecordId $ids", Vars(("ids", sample.Select(r => r.Id).ToArray())));
        Assert.Empty(run.Errors);
        var rows = run.Objects<CallRecordStream>();
        AssertMatchesTruth(sample, rows);
        var classes = rows.Select(r => r.Quality).ToHashSet();
        Assert.Equal(3, classes.Count);
        Assert.Contains(rows, r => r.StreamKind == StreamKind.VideoBasedScreenSharing && r.Quality == StreamQuality.Poor);
    }

    [Fact]
    public void PoorOnlyIsExactlyThePoorStreamsOfTheGroundTruth()
    {
        var sample = _f.Retained().Skip(20).Take(40).ToList();
        var run = _f.Run("Get-CallRecordStream -CallRecordId $ids -PoorOnly", Vars(("ids", sample.Select(r => r.Id).ToArray())));
        Assert.Empty(run.Errors);
        var rows = run.Objects<CallRecordStream>();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(StreamQuality.Poor, r.Quality));
        AssertMatchesTruth(sample, rows, poorOnly: true);
    }

    [Fact]
    public void ListThenSessionsThenStreamsChains()
    {
        var records = _f.Retained().Skip(40).Take(8).ToList();
        var from = records[0].StartDateTime;
        var to = records[^1].StartDateTime.AddTicks(1);
        var inWindow = _f.Retained().Where(r => r.StartDateTime >= from && r.StartDateTime < to).ToList();
        var run = _f.Run("Get-CallRecord -StartDateTime $from -EndDateTime $to | Get-CallRecordSession | Get-CallRecordStream",
            Vars(("from", from), ("to", to)));
        Assert.Empty(run.Errors);
        AssertMatchesTruth(inWindow, run.Objects<CallRecordStream>());

        // With segments expanded, the stream cmdlet sends no request of its own.
        _f.Reset();
        var expanded = _f.Run("Get-CallRecord -StartDateTime $from -EndDateTime $to | Get-CallRecordSession -ExpandSegment | Get-CallRecordStream -PoorOnly",
            Vars(("from", from), ("to", to)));
        Assert.Empty(expanded.Errors);
        AssertMatchesTruth(inWindow, expanded.Objects<CallRecordStream>(), poorOnly: true);
        Assert.Equal(0, EngineFixture.Count(_f.Host, Routes.ListSegments));
    }

    [Fact]
    public void RecordsPipedStraightToStreamsAreReadOnceEachAndExpandedOnesNotAtAll()
    {
        var records = _f.Retained().Take(12).ToList();
        var run = _f.Run("Get-CallRecord -First 12 | Get-CallRecordStream");
        Assert.Empty(run.Errors);
        AssertMatchesTruth(records, run.Objects<CallRecordStream>());
        Assert.Equal(12, EngineFixture.Count(_f.Host, Routes.GetCallRecord));

        _f.Reset();
        var again = _f.Run("Get-CallRecord -Id $id -ExpandSession | Get-CallRecordStream", Vars(("id", records[3].Id)));
        Assert.Empty(again.Errors);
        AssertMatchesTruth(new[] { records[3] }, again.Objects<CallRecordStream>());
        // The expanded read of Get-CallRecord -Id only; the stream cmdlet reads nothing.
        Assert.Equal(1, EngineFixture.Count(_f.Host, Routes.GetCallRecord));
        Assert.Equal(0, EngineFixture.Count(_f.Host, Routes.ListSessions));
    }

    [Fact]
    public void StreamRowsHaveNoPropertyThatPrintsAsATypeName()
    {
        var id = _f.Retained().First(r => r.Type == "peerToPeer" && r.SessionCount == 1).Id;
        var run = _f.Run("Get-CallRecordStream -CallRecordId $id", Vars(("id", id)));
        Assert.Empty(run.Errors);
        var row = run.Output.First();
        foreach (var p in row.Properties)
        {
            var text = LanguagePrimitives.ConvertTo<string>(p.Value) ?? "";
            Assert.False(text.StartsWith("CallRecords.", StringComparison.Ordinal) || text.StartsWith("System.", StringComparison.Ordinal), $"{p.Name} prints as {text}");
        }
        var r = (CallRecordStream)row.BaseObject;
        Assert.NotNull(r.CallerName);
        Assert.NotNull(r.CallerPlatform);
        Assert.NotNull(r.CallerConnectionType);
        Assert.NotNull(r.CallerIpAddress);
        Assert.NotNull(r.SenderName);
    }
}
