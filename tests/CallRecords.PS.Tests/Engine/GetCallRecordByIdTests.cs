using System.Management.Automation;
using CallRecords.Models;
using GraphEmulator;
using Xunit;
using CallRecords.Cmdlets;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class GetCallRecordByIdTests
{
    private readonly EngineFixture _f;

    public GetCallRecordByIdTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    private GraphEmulator.Data.CallRecordEntry Big(Func<GraphEmulator.Data.CallRecordEntry, bool> predicate) =>
        _f.Retained().First(predicate);

    [Fact]
    public void IdsFromThePipelineComeBackInOrderWithTheirOrganizer()
    {
        var ids = _f.Retained().Skip(3).Take(3).Select(r => r.Id).ToArray();
        var run = _f.Run("$ids | Get-CallRecord", Vars(("ids", ids)));
        Assert.Empty(run.Errors);
        var records = run.Objects<CallRecord>();
        Assert.Equal(ids, records.Select(r => r.Id));
        foreach (var r in records)
        {
            var index = _f.Host.Data.Records.Single(e => e.Id == r.Id).Index;
            var organizerId = _f.Host.Data.BuildOrganizer(index)["identity"]!["user"]!["id"]!.GetValue<string>();
            Assert.Equal(organizerId, r.OrganizerId);
            Assert.Equal("user", r.Organizer!.Kind);
        }
        Assert.Equal(3, EngineFixture.Count(_f.Host, Routes.GetCallRecord));
    }

    [Fact]
    public void ObjectsWithACallRecordIdPropertyBindByPropertyName()
    {
        var ids = _f.Retained().Take(2).Select(r => r.Id).ToArray();
        var run = _f.Run("$ids | ForEach-Object { [pscustomobject]@{ CallRecordId = $_ } } | Get-CallRecord", Vars(("ids", ids)));
        Assert.Empty(run.Errors);
        Assert.Equal(ids, run.Objects<CallRecord>().Select(r => r.Id));

        // A listed record piped back in binds by its Id.
        var again = _f.Run("Get-CallRecord -First 2 | Get-CallRecord");
        Assert.Empty(again.Errors);
        Assert.Equal(ids, again.Objects<CallRecord>().Select(r => r.Id));
    }

    [Fact]
    public void UnknownIdIsANonTerminatingErrorAndTheOthersContinue()
    {
        var good = _f.Retained().Take(2).Select(r => r.Id).ToArray();
        const string missing = "00000000-0000-0000-0000-00000000dead";
        var run = _f.Run("Get-CallRecord -Id $a, $missing, $b", Vars(("a", good[0]), ("missing", missing), ("b", good[1])));

        Assert.Equal(good, run.Objects<CallRecord>().Select(r => r.Id));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(missing, error.TargetObject);
        var logged = EngineFixture.Requests(_f.Host, Routes.GetCallRecord).Single(r => r.Status == 404);
        Assert.Contains("request-id: " + logged.RequestId, error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpandSessionFollowsTheNestedNextLinkSoNoSessionIsLost()
    {
        var big = Big(r => r.SessionCount > 60);
        var run = _f.Run("Get-CallRecord -Id $id -ExpandSession", Vars(("id", big.Id)));

        Assert.Empty(run.Errors);
        var record = Assert.Single(run.Objects<CallRecord>());
        var expected = _f.Host.Data.BuildSessions(big.Index).Select(s => s!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(big.SessionCount, expected.Count);
        Assert.Equal(expected, record.Sessions!.Select(s => s.Id));
        Assert.All(record.Sessions!, s =>
        {
            Assert.Equal(big.Id, s.CallRecordId);
            Assert.NotNull(s.Segments);
            Assert.NotEmpty(s.Segments!);
            Assert.All(s.Segments!, g => Assert.Equal(s.Id, g.SessionId));
        });
        Assert.True(EngineFixture.Count(_f.Host, Routes.ListSessions) >= 1, "the sessions nextLink was not followed");
        Assert.NotNull(record.Organizer);
    }

    [Fact]
    public void ExpandParticipantFollowsTheNestedNextLink()
    {
        var big = Big(r => r.ParticipantCount > 130);
        var run = _f.Run("Get-CallRecord -Id $id -ExpandParticipant", Vars(("id", big.Id)));

        Assert.Empty(run.Errors);
        var record = Assert.Single(run.Objects<CallRecord>());
        Assert.Equal(big.ParticipantIds, record.Participants!.Select(p => p.Id));
        Assert.Equal(big.ParticipantCount, record.ParticipantCount);
        Assert.All(record.Participants!, p => Assert.Equal(big.Id, p.CallRecordId));
        Assert.NotNull(record.Organizer);
        Assert.True(EngineFixture.Count(_f.Host, Routes.ListParticipants) >= 1, "the participants_v2 nextLink was not followed");
    }

    [Fact]
    public void BothExpansionsTogetherAreComplete()
    {
        var big = Big(r => r.SessionCount > 60 && r.ParticipantCount > 130);
        var run = _f.Run("Get-CallRecord $id -ExpandSession -ExpandParticipant", Vars(("id", big.Id)));
        Assert.Empty(run.Errors);
        var record = Assert.Single(run.Objects<CallRecord>());
        Assert.Equal(big.SessionCount, record.Sessions!.Count);
        Assert.Equal(big.ParticipantIds, record.Participants!.Select(p => p.Id));
    }
}
