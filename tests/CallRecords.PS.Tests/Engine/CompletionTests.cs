using CallRecords.Completers;
using CallRecords.Models;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

/// <summary>Tab completion as an admin gets it: TabExpansion2 in the hosted engine with the module imported.</summary>
[Collection(EngineCollection.Name)]
public sealed class CompletionTests
{
    private readonly EngineFixture _f;

    public CompletionTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Connect();
        _f.Reset();
    }

    private static string[] Texts(IEnumerable<System.Management.Automation.CompletionResult> results) =>
        results.Select(r => r.CompletionText).ToArray();

    [Fact]
    public void ModalityOffersGraphsModalityMembersAndFiltersByPrefix()
    {
        using var ps = HostedShell.Create();
        Assert.Equal(["audio", "video", "videoBasedScreenSharing", "data", "screenSharing"],
            Texts(HostedShell.Complete(ps, "Get-CallRecord -Modality ")));
        Assert.Equal(["video", "videoBasedScreenSharing"], Texts(HostedShell.Complete(ps, "Get-CallRecord -Modality vi")));
        // The second element of an array argument completes too.
        Assert.Equal(["screenSharing"], Texts(HostedShell.Complete(ps, "Get-CallRecord -Modality audio,scr")));
    }

    [Fact]
    public void TypeOffersGraphsCallTypesWithoutTheSentinel()
    {
        using var ps = HostedShell.Create();
        var all = HostedShell.Complete(ps, "Get-CallRecord -Type ");
        Assert.Equal(["groupCall", "peerToPeer", "unknown"], Texts(all));
        Assert.DoesNotContain("unknownFutureValue", Texts(all));
        Assert.Equal(["peerToPeer"], Texts(HostedShell.Complete(ps, "Get-CallRecord -Type 'pe")));
        Assert.All(all, r => Assert.False(string.IsNullOrWhiteSpace(r.ToolTip)));
    }

    [Fact]
    public void PropertyOffersTheCallRecordPropertiesGraphSelects()
    {
        using var ps = HostedShell.Create();
        var texts = Texts(HostedShell.Complete(ps, "Get-CallRecord -Property "));
        Assert.Equal(["id", "version", "type", "modalities", "startDateTime", "endDateTime", "lastModifiedDateTime", "joinWebUrl"], texts);
        Assert.Equal(["startDateTime"], Texts(HostedShell.Complete(ps, "Get-CallRecord -Id x -Property sta")));
        Assert.Equal(["endDateTime"], Texts(HostedShell.Complete(ps, "Get-CallRecord -Property id,END")));
    }

    [Fact]
    public void EveryOfferedPropertyIsOneGraphAcceptsInSelect()
    {
        var properties = CallRecordPropertyCompleter.Values.Select(v => v.Key).ToArray();
        var run = _f.Run("Get-CallRecord -First 2 -Property $p", new Dictionary<string, object?> { ["p"] = properties });
        Assert.Empty(run.Errors);
        Assert.Equal(2, run.Objects<CallRecord>().Count);
    }

    [Fact]
    public void EnvironmentCompleterOffersTheNationalClouds()
    {
        var completer = new EnvironmentCompleter();
        Assert.Equal(["Global", "USGov", "USGovDoD", "China"],
            Texts(completer.CompleteArgument("Connect-CallRecordGraph", "Environment", "", null!, new Dictionary<string, object>())));
        Assert.Equal(["USGov", "USGovDoD"],
            Texts(completer.CompleteArgument("Connect-CallRecordGraph", "Environment", "usg", null!, new Dictionary<string, object>())));
        // Attached to Connect-CallRecordGraph -Environment.
        using var ps = HostedShell.Create();
        Assert.Equal(["USGovDoD"], Texts(HostedShell.Complete(ps, "Connect-CallRecordGraph -Environment USGovD")));
        Assert.Equal(["USGov", "USGovDoD"], Texts(HostedShell.Complete(ps, "Connect-CallRecordGraph -Environment usg")));
    }

    [Fact]
    public void IdOffersTheIdsThisSessionHasSeenMostRecentFirst()
    {
        CallRecordIdHistory.Shared.Clear();
        using var ps = HostedShell.Create();
        Assert.Empty(HostedShell.Complete(ps, "Get-CallRecord -Id "));

        var listed = _f.Run("Get-CallRecord -First 3").Objects<CallRecord>().Select(r => r.Id).ToList();
        Assert.Equal(3, listed.Count);
        var offered = Texts(HostedShell.Complete(ps, "Get-CallRecord -Id "));
        Assert.Equal(listed.AsEnumerable().Reverse(), offered.Take(3));

        // A record fetched by id moves to the front; the alias -CallRecordId completes the same way.
        _f.Run("Get-CallRecord -Id $id", new Dictionary<string, object?> { ["id"] = listed[0] });
        Assert.Equal(listed[0], HostedShell.Complete(ps, "Get-CallRecord -CallRecordId ").First().CompletionText);

        var one = listed[1];
        var byPrefix = HostedShell.Complete(ps, "Get-CallRecord " + one[..6]);
        Assert.Contains(one, Texts(byPrefix));
        var tooltip = HostedShell.Complete(ps, "Get-CallRecord -Id " + one).Single().ToolTip;
        Assert.Contains(one, tooltip);
        Assert.Contains("Z", tooltip); // the record's start time in UTC
    }
    [Fact]
    public void CallRecordIdOnTheOtherCmdletsOffersTheIdsThisSessionHasSeen()
    {
        CallRecordIdHistory.Shared.Clear();
        using var ps = HostedShell.Create();
        Assert.Empty(HostedShell.Complete(ps, "Get-CallRecordSession -CallRecordId "));

        var listed = _f.Run("Get-CallRecord -First 2").Objects<CallRecord>().Select(r => r.Id).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Equal(listed.AsEnumerable().Reverse(), Texts(HostedShell.Complete(ps, "Get-CallRecordSession -CallRecordId ")).Take(2));
        Assert.Contains(listed[1], Texts(HostedShell.Complete(ps, "Get-CallRecordSession -CallRecordId " + listed[1][..8])));

        // Every cmdlet with -CallRecordId completes it from the same history.
        foreach (var cmdlet in new[] { "Get-CallRecordSegment", "Get-CallRecordParticipant", "Get-CallRecordStream",
                     "Add-CallRecordSession", "Add-CallRecordSegment", "Set-CallRecordSession", "Remove-CallRecordSession" })
            Assert.Contains(listed[0], Texts(HostedShell.Complete(ps, cmdlet + " -CallRecordId ")));
    }

    /// <summary>Every parameter whose values come from a fixed set (Graph's enums, national clouds, API versions,
    /// $select names) or from ids the session has seen has a completer or a ValidateSet, on every cmdlet; a new
    /// parameter of that kind without one fails here instead of completing file names.</summary>
    [Fact]
    public void EveryEnumLikeAndIdParameterOfEveryCmdletCompletes()
    {
        var enumLike = new HashSet<string> { "Type", "Modality", "Modalities", "Environment", "ApiVersion", "Property" };
        var idLike = new HashSet<string> { "Id", "CallRecordId", "SessionId" };
        var missing = new List<string>();
        var cmdlets = typeof(CallRecord).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(System.Management.Automation.CmdletAttribute), false).Length > 0)
            .ToList();
        Assert.True(cmdlets.Count >= 18, $"found {cmdlets.Count} cmdlets");
        foreach (var cmdlet in cmdlets)
            foreach (var p in cmdlet.GetProperties())
            {
                if (p.GetCustomAttributes(typeof(System.Management.Automation.ParameterAttribute), true).Length == 0) continue;
                if (p.PropertyType != typeof(string) && p.PropertyType != typeof(string[])) continue;
                if (!enumLike.Contains(p.Name) && !idLike.Contains(p.Name)) continue;
                var completes = p.GetCustomAttributes(typeof(System.Management.Automation.ArgumentCompleterAttribute), true).Length > 0
                    || p.GetCustomAttributes(typeof(System.Management.Automation.ValidateSetAttribute), true).Length > 0;
                // New-CallRecord -Id names a record that does not exist yet: nothing seen can complete it.
                if (!completes && !(cmdlet.Name == "NewCallRecordCommand" && p.Name == "Id")) missing.Add(cmdlet.Name + " -" + p.Name);
            }
        Assert.True(missing.Count == 0, "No completer: " + string.Join(", ", missing));
    }

    [Fact]
    public void WriteCmdletsCompleteGraphsTypeAndModalityValues()
    {
        using var ps = HostedShell.Create();
        Assert.Equal(["groupCall", "peerToPeer", "unknown"], Texts(HostedShell.Complete(ps, "New-CallRecord -Type ")));
        Assert.Equal(["video", "videoBasedScreenSharing"], Texts(HostedShell.Complete(ps, "New-CallRecord -Modalities vi")));
        Assert.Equal(["screenSharing"], Texts(HostedShell.Complete(ps, "Add-CallRecordSession -Modalities audio,scr")));
        Assert.Equal(["data"], Texts(HostedShell.Complete(ps, "Set-CallRecordSession -Modalities da")));
    }

    [Fact]
    public void SessionIdsSeenInTheSessionCompleteOnEveryCmdletThatTakesOne()
    {
        CallRecordIdHistory.Sessions.Clear();
        using var ps = HostedShell.Create();
        Assert.Empty(HostedShell.Complete(ps, "Get-CallRecordSession -CallRecordId x -Id "));
        var sessions = _f.Run("Get-CallRecord -First 1 | Get-CallRecordSession").Objects<CallRecordSession>().Select(s => s.Id).ToList();
        Assert.NotEmpty(sessions);
        foreach (var line in new[] { "Get-CallRecordSession -CallRecordId x -Id ", "Get-CallRecordSegment -CallRecordId x -SessionId ",
                     "Get-CallRecordStream -CallRecordId x -SessionId ", "Add-CallRecordSegment -CallRecordId x -SessionId ",
                     "Set-CallRecordSession -CallRecordId x -Id ", "Remove-CallRecordSession -CallRecordId x -Id " })
            Assert.True(sessions.All(Texts(HostedShell.Complete(ps, line)).Contains), line);
        var one = sessions[0];
        Assert.Equal([one], Texts(HostedShell.Complete(ps, "Set-CallRecordSession -CallRecordId x -Id " + one[..12])));
    }
}
