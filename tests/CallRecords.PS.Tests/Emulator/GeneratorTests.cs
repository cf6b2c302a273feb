using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using GraphEmulator.Data;
using Xunit;

namespace CallRecords.PS.Tests.Emulator;

public class GeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 15, 12, 0, 0, TimeSpan.Zero);

    private static EmulatorDataSet Make(int seed = 1, int records = 300, int logRows = 800) =>
        EmulatorDataSet.Generate(new GeneratorOptions { Seed = seed, Records = records, LogRows = logRows, Now = Now });

    private static IEnumerable<LogTable> Tables(EmulatorDataSet d) =>
        [d.PstnCalls, d.DirectRoutingCalls, d.SmsLogs, d.PstnBlockedUsers, d.PstnOnlineMeetingDialoutReport];

    // ---- determinism -------------------------------------------------------------------------------------------

    [Fact]
    public void SameSeedGivesIdenticalJsonWhateverTheCallOrder()
    {
        var a = Make();
        var b = Make();
        Assert.Equal(a.Records, b.Records, new EntryComparer());
        // b builds in reverse order, so nothing may depend on what was built before.
        var forward = Enumerable.Range(0, 40).Select(i => Dump(a, i)).ToList();
        var backward = Enumerable.Range(0, 40).Reverse().Select(i => Dump(b, i)).Reverse().ToList();
        Assert.Equal(forward, backward);
        Assert.Equal(Dump(a, 7), Dump(a, 7)); // and repeated builds of one record agree
        foreach (var (ta, tb) in Tables(a).Zip(Tables(b)))
        {
            for (var i = ta.Count - 1; i >= 0; i -= 37)
            {
                Assert.Equal(ta.BuildRow(i).ToJsonString(), tb.BuildRow(i).ToJsonString());
                Assert.Equal(ta.BuildRow(i, beta: true).ToJsonString(), tb.BuildRow(i, beta: true).ToJsonString());
                Assert.Equal(ta.Timestamp(i), tb.Timestamp(i));
                Assert.Equal(ta.Id(i), tb.Id(i));
            }
        }
    }

    private static string Dump(EmulatorDataSet d, int i) =>
        d.BuildCallRecord(i).ToJsonString() + d.BuildSessions(i).ToJsonString() + d.BuildParticipants(i).ToJsonString()
        + d.BuildOrganizer(i).ToJsonString() + string.Join("|", d.Streams(i));

    [Fact]
    public void DifferentSeedsGiveDifferentIds()
    {
        var a = Make(seed: 1);
        var b = Make(seed: 2);
        Assert.Empty(a.Records.Select(r => r.Id).Intersect(b.Records.Select(r => r.Id)));
        var pstnA = Enumerable.Range(0, a.PstnCalls.Count).Select(a.PstnCalls.Id).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, b.PstnCalls.Count).Select(b.PstnCalls.Id), pstnA.Contains);
        // Users, guests and apps are GUIDs derived from the seed too (phone numbers are not ids of the tenant).
        var guidsA = a.Records.SelectMany(r => r.ParticipantIds).Where(id => Guid.TryParse(id, out _)).ToHashSet();
        Assert.NotEmpty(guidsA);
        Assert.DoesNotContain(b.Records.SelectMany(r => r.ParticipantIds), guidsA.Contains);
    }

    // ---- the record index --------------------------------------------------------------------------------------

    [Fact]
    public void RecordsAreOrderedCountedUniqueAndInsideTheWindow()
    {
        var d = Make(records: 3000, logRows: 10);
        Assert.Equal(3000, d.Records.Count);
        Assert.Equal(Now, d.Options.Now);
        var ids = new HashSet<string>();
        var ties = 0;
        for (var i = 0; i < d.Records.Count; i++)
        {
            var e = d.Records[i];
            Assert.Equal(i, e.Index);
            Assert.True(ids.Add(e.Id), $"duplicate id {e.Id}");
            Assert.True(Guid.TryParse(e.Id, out _));
            Assert.True(e.EndDateTime > e.StartDateTime);
            Assert.True(e.EndDateTime < Now - TimeSpan.FromMinutes(15), "records end at least 15 minutes before Now");
            Assert.True(e.StartDateTime >= Now - TimeSpan.FromDays(30));
            Assert.Contains(e.Type, new[] { "peerToPeer", "groupCall", "unknown" });
            Assert.Equal(e.ParticipantIds.Count, e.ParticipantCount);
            Assert.Equal(e.ParticipantIds.Count, e.ParticipantIds.Distinct().Count());
            if (i > 0)
            {
                Assert.True(e.StartDateTime >= d.Records[i - 1].StartDateTime, $"record {i} out of order");
                if (e.StartDateTime == d.Records[i - 1].StartDateTime) ties++;
            }
            Assert.True(d.TryGetIndex(e.Id.ToUpperInvariant(), out var back) && back == i);
        }
        Assert.True(ties > 0, "exact start-time ties exist for paging/filter edge cases");
        Assert.Contains(d.Records, e => e.StartDateTime.Ticks % TimeSpan.TicksPerMinute == 0);
        Assert.Contains(d.Records, e => e.Type == "unknown");
        Assert.False(d.TryGetIndex(Guid.NewGuid().ToString(), out _));
    }

    [Fact]
    public void IndexAgreesWithTheBuiltJson()
    {
        var d = Make(records: 250, logRows: 10);
        foreach (var e in d.Records.Where(e => e.Index % 5 == 0 || e.SessionCount > 60))
        {
            var record = d.BuildCallRecord(e.Index);
            Assert.Equal(e.Id, (string?)record["id"]);
            Assert.Equal(e.Type, (string?)record["type"]);
            Assert.Equal(e.StartDateTime, DateTimeOffset.Parse((string)record["startDateTime"]!, CultureInfo.InvariantCulture));
            Assert.Equal(e.EndDateTime, DateTimeOffset.Parse((string)record["endDateTime"]!, CultureInfo.InvariantCulture));
            Assert.Equal(e.SessionCount, d.BuildSessions(e.Index).Count);
            var participants = d.BuildParticipants(e.Index);
            Assert.Equal(e.ParticipantIds, participants.Select(p => (string)p!["id"]!).ToArray());
            Assert.Contains((string)d.BuildOrganizer(e.Index)["id"]!, e.ParticipantIds);
        }
    }

    [Theory]
    [InlineData(20, 1)]
    [InlineData(200, 2)]
    [InlineData(1000, 2)]
    public void LargeCallsExistForNestedPaging(int records, int atLeast)
    {
        var d = Make(records: records, logRows: 1);
        var large = d.Records.Where(e => e.SessionCount > 60 && e.ParticipantCount > 130).ToList();
        Assert.True(large.Count >= atLeast, $"{large.Count} large calls in {records} records");
        Assert.All(large, e => Assert.Equal("groupCall", e.Type));
        Assert.All(large, e => Assert.True(d.IsLargeCall(e.Index)));
        var first = large[0];
        Assert.Equal(first.SessionCount, d.BuildSessions(first.Index).Count);
        Assert.Equal(first.ParticipantCount, d.BuildParticipants(first.Index).Count);
    }

    // ---- shapes ------------------------------------------------------------------------------------------------

    [Fact]
    public void ListedRecordHasGraphsListShape()
    {
        var d = Make(records: 500, logRows: 1);
        var versions = 0;
        var withoutAudio = 0;
        foreach (var e in d.Records)
        {
            var r = d.BuildCallRecord(e.Index);
            Assert.True(r.ContainsKey("organizer"));
            Assert.Null(r["organizer"]);
            Assert.Empty(r["participants"]!.AsArray());
            Assert.False(r.ContainsKey("sessions"));
            Assert.False(r.ContainsKey("participants_v2"));
            Assert.False(r.ContainsKey("organizer_v2"));
            Assert.Equal(JsonValueKind.Number, r["version"]!.GetValueKind());
            if ((long)r["version"]! > 1) versions++;
            foreach (var key in new[] { "startDateTime", "endDateTime", "lastModifiedDateTime" })
                AssertGraphTime((string)r[key]!);
            Assert.True(DateTimeOffset.Parse((string)r["lastModifiedDateTime"]!, CultureInfo.InvariantCulture) <= Now);
            var modalities = r["modalities"]!.AsArray().Select(m => (string)m!).ToList();
            Assert.NotEmpty(modalities);
            if (!modalities.Contains("audio"))
            {
                withoutAudio++;
                Assert.False(d.IsLargeCall(e.Index));
                // Every session of a call without audio still has a modality of the call.
                Assert.All(d.BuildSessions(e.Index), s => Assert.Subset(modalities.ToHashSet(), s!["modalities"]!.AsArray().Select(m => (string)m!).ToHashSet()));
                Assert.All(d.BuildSessions(e.Index), s => Assert.NotEmpty(s!["modalities"]!.AsArray()));
            }
            if (e.Type == "groupCall") Assert.StartsWith("https://teams.microsoft.com/l/meetup-join/", (string)r["joinWebUrl"]!);
        }
        Assert.InRange(versions, 50, 150); // about 20% re-issued
        Assert.InRange(withoutAudio, 10, 60); // about 6% without audio, so -Modality audio has something to leave out
        Assert.Contains(d.Records, e => e.Type == "peerToPeer" && d.BuildCallRecord(e.Index)["joinWebUrl"] is null);
    }

    private static void AssertGraphTime(string s)
    {
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$", s);
    }

    [Fact]
    public void SessionsSegmentsAndNetworksCarryGraphsQuirks()
    {
        var d = Make(records: 400, logRows: 1);
        var linkSpeeds = new List<long>();
        var odataTypes = new HashSet<string>();
        var roles = new HashSet<string>();
        var labels = new HashSet<string>();
        var failures = 0;
        var sessions = 0;
        foreach (var e in d.Records)
        {
            foreach (var s in d.BuildSessions(e.Index).Select(n => n!.AsObject()))
            {
                sessions++;
                Assert.True(Guid.TryParse((string?)s["id"], out _));
                AssertGraphTime((string)s["startDateTime"]!);
                if (s["failureInfo"] is JsonObject f)
                {
                    failures++;
                    Assert.Contains((string)f["stage"]!, new[] { "callSetup", "midcall" });
                }
                foreach (var ep in new[] { s["caller"], s["callee"] })
                {
                    odataTypes.Add((string)ep!["@odata.type"]!);
                    odataTypes.Add((string)ep["userAgent"]!["@odata.type"]!);
                    if (ep["userAgent"]!["role"] is JsonNode role) roles.Add((string)role!);
                }
                foreach (var seg in s["segments"]!.AsArray())
                {
                    foreach (var media in seg!["media"]!.AsArray())
                    {
                        labels.Add((string)media!["label"]!);
                        foreach (var side in new[] { "callerNetwork", "calleeNetwork" })
                        {
                            var net = media[side]!.AsObject();
                            Assert.Contains((string)net["connectionType"]!, new[] { "wired", "wifi", "mobile", "tunnel", "unknown" });
                            Assert.NotNull(net["wifiBand"]);
                            Assert.NotNull(net["traceRouteHops"]);
                            if (net["linkSpeed"] is JsonNode ls) linkSpeeds.Add((long)ls);
                        }
                        foreach (var stream in media["streams"]!.AsArray())
                        {
                            // Every Edm.Duration present is an ISO 8601 string, never a number.
                            foreach (var key in new[] { "averageJitter", "maxJitter", "averageRoundTripTime", "maxRoundTripTime", "averageAudioNetworkJitter", "averageFreezeDuration", "rmsFreezeDuration" })
                            {
                                if (stream![key] is JsonNode dur)
                                {
                                    Assert.Equal(JsonValueKind.String, dur.GetValueKind());
                                    Assert.StartsWith("PT", (string)dur!);
                                    _ = XmlConvert.ToTimeSpan((string)dur!);
                                }
                            }
                            Assert.Equal(JsonValueKind.Number, stream!["averageBandwidthEstimate"]!.GetValueKind());
                        }
                    }
                }
            }
        }
        Assert.Contains(linkSpeeds, v => v > int.MaxValue); // Int64 linkSpeed above 2^31 occurs
        Assert.Contains("#microsoft.graph.callRecords.participantEndpoint", odataTypes);
        Assert.Contains("#microsoft.graph.callRecords.serviceEndpoint", odataTypes);
        Assert.Contains("#microsoft.graph.callRecords.clientUserAgent", odataTypes);
        Assert.Contains("#microsoft.graph.callRecords.serviceUserAgent", odataTypes);
        Assert.Contains("skypeForBusinessAudioVideoMcu", roles);
        Assert.Superset(new HashSet<string> { "main-audio", "main-video", "applicationsharing-video" }, labels.Where(l => l != "data").ToHashSet());
        Assert.Contains("applicationsharing-video", labels);
        Assert.InRange(failures, 1, sessions / 10);
    }

    [Fact]
    public void ParticipantsMixIdentityKindsWithUndeclaredKeys()
    {
        var d = Make(records: 1500, logRows: 1);
        var kinds = new Dictionary<string, int>();
        var withAu = 0;
        foreach (var e in d.Records)
        {
            foreach (var p in d.BuildParticipants(e.Index).Select(n => n!.AsObject()))
            {
                var identity = p["identity"]!.AsObject();
                Assert.True(identity.ContainsKey("acsUser") && identity.ContainsKey("spoolUser"), "undeclared keys present (null when unused)");
                var populated = identity.Where(kv => kv.Value is not null).ToList();
                var (key, value) = Assert.Single(populated);
                kinds[key] = kinds.GetValueOrDefault(key) + 1;
                Assert.Equal((string?)p["id"], (string?)value!["id"]);
                Assert.True(value.AsObject().ContainsKey("tenantId"));
                if (key == "user")
                {
                    Assert.Equal(d.Options.TenantId, (string?)value["tenantId"]);
                    Assert.EndsWith("@contoso.com", (string)value["userPrincipalName"]!);
                }
                if (p["administrativeUnitInfos"] is JsonArray au && au.Count > 0) withAu++;
            }
            Assert.NotNull(d.BuildOrganizer(e.Index)["identity"]!["user"] ?? d.BuildOrganizer(e.Index)["identity"]!["phone"]);
        }
        foreach (var k in new[] { "user", "guest", "phone", "acsUser", "spoolUser", "applicationInstance", "application" })
            Assert.True(kinds.GetValueOrDefault(k) > 0, $"no {k} participants");
        Assert.True(kinds["user"] > kinds["acsUser"] * 5, "mostly tenant users");
        Assert.True(withAu > 0);
    }

    // ---- stream quality ground truth ---------------------------------------------------------------------------

    [Fact]
    public void StreamTruthMatchesTheGeneratedMetrics()
    {
        var d = Make(records: 400, logRows: 1);
        var counts = new Dictionary<string, int>();
        var goodPastPostFec = 0;
        var reasons = new HashSet<string>();
        var kinds = new HashSet<string>();
        foreach (var e in d.Records)
        {
            var truths = d.Streams(e.Index);
            var streams = new List<(string Session, string Segment, string Label, JsonObject Stream)>();
            foreach (var s in d.BuildSessions(e.Index))
                foreach (var seg in s!["segments"]!.AsArray())
                    foreach (var media in seg!["media"]!.AsArray())
                        foreach (var st in media!["streams"]!.AsArray())
                            streams.Add(((string)s["id"]!, (string)seg["id"]!, (string)media["label"]!, st!.AsObject()));
            Assert.Equal(streams.Count, truths.Count);
            for (var k = 0; k < truths.Count; k++)
            {
                var t = truths[k];
                var (session, segment, label, stream) = streams[k];
                Assert.Equal(e.Id, t.CallRecordId);
                Assert.Equal(session, t.SessionId);
                Assert.Equal(segment, t.SegmentId);
                Assert.Equal((string)stream["streamId"]!, t.StreamId);
                Assert.Equal((string)stream["streamDirection"]!, t.StreamDirection);
                Assert.Equal(label, t.MediaLabel);
                Assert.Equal(label switch
                {
                    "main-audio" => "Audio",
                    "main-video" => "Video",
                    "applicationsharing-video" => "VideoBasedScreenSharing",
                    _ => "Other",
                }, t.Kind);
                CheckAgainstThresholds(t, stream);
                if (t.Quality == "Good" && t.Kind is "Video" or "VideoBasedScreenSharing" && Num(stream, "postForwardErrorCorrectionPacketLossRate") > 0.15)
                    goodPastPostFec++;
                counts[t.Quality] = counts.GetValueOrDefault(t.Quality) + 1;
                kinds.Add(t.Kind);
                if (t.PoorReason is not null) reasons.Add(t.PoorReason);
            }
        }
        var total = counts.Values.Sum();
        Assert.InRange(counts["Good"] / (double)total, 0.6, 0.85);
        Assert.InRange(counts["Poor"] / (double)total, 0.1, 0.25);
        Assert.InRange(counts["Unclassified"] / (double)total, 0.03, 0.2);
        Assert.Equal(8, reasons.Count); // every designed reason occurs
        // CQD's first-available rule is exercised: Good video whose later metric (post-FEC loss) is past its line.
        Assert.True(goodPastPostFec > 0, "no Good video stream with a post-FEC loss over 0.15");
        Assert.Superset(new HashSet<string> { "Audio", "Video", "VideoBasedScreenSharing" }, kinds.Where(k => k != "Other").ToHashSet());
        Assert.Contains("VideoBasedScreenSharing", kinds);
    }

    // The CQD thresholds, written out independently of the generator.
    private static double? Num(JsonObject s, string key) => s[key] is JsonNode n ? (double)n : null;

    private static double? Ms(JsonObject s, string key) => s[key] is JsonNode n ? XmlConvert.ToTimeSpan((string)n!).TotalMilliseconds : null;

    private static void CheckAgainstThresholds(StreamTruth t, JsonObject s)
    {
        var audio = new Dictionary<string, (double? Value, Func<double, bool> IsPoor)>
        {
            ["AverageAudioDegradation"] = (Num(s, "averageAudioDegradation"), v => v > 1.0),
            ["AverageRoundTripTime"] = (Ms(s, "averageRoundTripTime"), v => v > 500),
            ["AveragePacketLossRate"] = (Num(s, "averagePacketLossRate"), v => v > 0.1),
            ["AverageJitter"] = (Ms(s, "averageJitter"), v => v > 30),
            ["AverageRatioOfConcealedSamples"] = (Num(s, "averageRatioOfConcealedSamples"), v => v > 0.07),
        };
        var minFps = t.Kind == "VideoBasedScreenSharing" ? 2 : 7;
        // CQD's video table, in its order: the first available metric decides.
        var video = new List<(string Name, double? Value, Func<double, bool> IsPoor)>
        {
            ("AverageVideoFrameLossPercentage", Num(s, "averageVideoFrameLossPercentage"), v => v > 50),
            ("AverageVideoFrameRate", Num(s, "averageVideoFrameRate"), v => v < minFps),
            ("AverageReceivedFrameRate", Num(s, "averageReceivedFrameRate"), v => v < minFps),
            ("PostForwardErrorCorrectionPacketLossRate", Num(s, "postForwardErrorCorrectionPacketLossRate"), v => v > 0.15),
        };
        if (t.Kind == "Other")
        {
            Assert.Equal("Unclassified", t.Quality);
            return;
        }
        if (t.Kind != "Audio")
        {
            var deciding = video.FirstOrDefault(m => m.Value is not null);
            if (deciding.Name is null)
            {
                Assert.Equal("Unclassified", t.Quality);
                Assert.Null(t.PoorReason);
                return;
            }
            var poor = deciding.IsPoor(deciding.Value!.Value);
            Assert.True((poor ? "Poor" : "Good") == t.Quality, $"{t.StreamId}: designed {t.Quality}, CQD's first available metric {deciding.Name}={deciding.Value}");
            Assert.Equal(poor ? deciding.Name : null, t.PoorReason);
            return;
        }
        switch (t.Quality)
        {
            case "Unclassified":
                Assert.Null(t.PoorReason);
                Assert.All(audio.Values, m => Assert.Null(m.Value));
                break;
            case "Poor":
                Assert.NotNull(t.PoorReason);
                var (value, isPoor) = audio[t.PoorReason!];
                Assert.True(value is { } v && isPoor(v), $"{t.StreamId}: {t.PoorReason}={value} is not beyond its threshold");
                // exactly one metric is past its line
                Assert.Single(audio, m => m.Value.Value is { } x && m.Value.IsPoor(x));
                break;
            case "Good":
                Assert.Null(t.PoorReason);
                Assert.All(audio, m => Assert.False(m.Value.Value is { } x && m.Value.IsPoor(x), $"{t.StreamId}: {m.Key}={m.Value.Value}"));
                Assert.NotNull(Ms(s, "averageJitter"));
                break;
            default:
                Assert.Fail($"unexpected quality {t.Quality}");
                break;
        }
    }

    // ---- log tables ----------------------------------------------------------------------------------------------

    private static string SchemaPath(string file)
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        return Path.Combine(root, "tests", "GraphEmulator", "Data", "Schema", file);
    }

    /// <summary>Declared properties of a callRecords complex type, including those of its base types.</summary>
    private static HashSet<string> CsdlProperties(string file, string type)
    {
        var doc = XDocument.Load(SchemaPath(file));
        var types = doc.Descendants().Where(x => x.Name.LocalName == "ComplexType" && x.Parent?.Attribute("Namespace")?.Value == "microsoft.graph.callRecords")
            .ToDictionary(x => x.Attribute("Name")!.Value);
        var result = new HashSet<string>();
        for (var t = types[type]; t is not null;)
        {
            foreach (var p in t.Elements().Where(e => e.Name.LocalName == "Property")) result.Add(p.Attribute("Name")!.Value);
            var baseType = t.Attribute("BaseType")?.Value;
            t = baseType is null ? null : types[baseType["microsoft.graph.callRecords.".Length..]];
        }
        Assert.NotEmpty(result);
        return result;
    }

    private static void AssertNone(IEnumerable<string> names, string what)
    {
        var list = names.ToList();
        Assert.True(list.Count == 0, $"{what}: {string.Join(", ", list)}");
    }

    [Theory]
    [InlineData("pstnCalls", "pstnCallLogRow", "startDateTime")]
    [InlineData("directRoutingCalls", "directRoutingLogRow", "startDateTime")]
    public void V1LogRowsCarryEveryCsdlPropertyInBothVersions(string table, string type, string timeKey)
    {
        var d = Make(records: 1);
        var t = Tables(d).Single(x => x.Name == table);
        var v1 = CsdlProperties("callRecords-v1.0.xml", type);
        var beta = CsdlProperties("callRecords-beta.xml", type);
        Assert.True(beta.Count > v1.Count);
        for (var i = 0; i < t.Count; i += 13)
        {
            var row = t.BuildRow(i);
            AssertNone(v1.Where(p => !row.ContainsKey(p)), "missing on v1.0");
            AssertNone(row.Select(kv => kv.Key).Where(k => !v1.Contains(k)), "beta-only keys on v1.0");
            var betaRow = t.BuildRow(i, beta: true);
            AssertNone(beta.Where(p => !betaRow.ContainsKey(p)), "missing on beta");
            Assert.Equal(t.Id(i), (string?)row["id"]);
            Assert.Equal(t.Timestamp(i), DateTimeOffset.Parse((string)row[timeKey]!, CultureInfo.InvariantCulture));
            Assert.Equal(JsonValueKind.Number, row["duration"]!.GetValueKind());
        }
    }

    [Fact]
    public void PstnChargesAreJsonNumbers()
    {
        var d = Make(records: 1);
        var charged = 0;
        for (var i = 0; i < d.PstnCalls.Count; i++)
        {
            var row = d.PstnCalls.BuildRow(i);
            Assert.Equal(JsonValueKind.Number, row["charge"]!.GetValueKind());
            Assert.Equal(JsonValueKind.Number, row["connectionCharge"]!.GetValueKind());
            var charge = row["charge"]!.GetValue<decimal>();
            if (charge > 0) charged++;
            Assert.Equal(decimal.Round(charge, 2), charge);
            var duration = (int)row["duration"]!;
            var start = DateTimeOffset.Parse((string)row["startDateTime"]!, CultureInfo.InvariantCulture);
            var end = DateTimeOffset.Parse((string)row["endDateTime"]!, CultureInfo.InvariantCulture);
            Assert.Equal(duration, (int)Math.Round((end - start).TotalSeconds));
        }
        Assert.True(charged > 0);
        Assert.Contains("\"charge\":0.00", d.PstnCalls.BuildRow(Enumerable.Range(0, 100).First(i => (string)d.PstnCalls.BuildRow(i)["callType"]! == "user_in")).ToJsonString());
    }

    [Fact]
    public void DirectRoutingFailureDateTimeQuirkAndMaskedNumbers()
    {
        var d = Make(records: 1);
        int ok = 0, failed = 0;
        for (var i = 0; i < d.DirectRoutingCalls.Count; i++)
        {
            var row = d.DirectRoutingCalls.BuildRow(i);
            if ((bool)row["successfulCall"]!)
            {
                ok++;
                Assert.Equal("0001-01-01T00:00:00Z", (string)row["failureDateTime"]!);
                Assert.Equal(0, (int)row["finalSipCode"]!);
            }
            else
            {
                failed++;
                Assert.NotEqual("0001-01-01T00:00:00Z", (string)row["failureDateTime"]!);
                Assert.True((int)row["finalSipCode"]! >= 400);
            }
            Assert.Matches(@"^\+\d+\*\*\*\*$", (string)row["callerNumber"]!);
            Assert.Matches(@"^\+\d+\*\*\*\*$", (string)row["calleeNumber"]!);
        }
        Assert.True(ok > 0 && failed > 0);
    }

    [Theory]
    [InlineData("smsLogs", "smsLogRow", "sentDateTime")]
    [InlineData("pstnBlockedUsers", "pstnBlockedUsersLogRow", "blockDateTime")]
    [InlineData("pstnOnlineMeetingDialoutReport", "pstnOnlineMeetingDialoutReport", null)]
    public void BetaLogRowsCarryEveryCsdlProperty(string table, string type, string? timeKey)
    {
        var d = Make(records: 1);
        var t = Tables(d).Single(x => x.Name == table);
        var props = CsdlProperties("callRecords-beta.xml", type);
        for (var i = 0; i < t.Count; i += 11)
        {
            var row = t.BuildRow(i);
            AssertNone(props.Where(p => !row.ContainsKey(p)), "missing");
            if (timeKey is not null) Assert.Equal(t.Timestamp(i), DateTimeOffset.Parse((string)row[timeKey]!, CultureInfo.InvariantCulture));
            else Assert.Equal(TimeSpan.Zero, t.Timestamp(i).TimeOfDay); // the dial-out report aggregates whole UTC days
        }
    }

    [Fact]
    public void LogTablesAreSortedWithTiesAndExactBoundaries()
    {
        var d = Make(records: 1, logRows: 3000);
        foreach (var t in Tables(d))
        {
            Assert.Equal(3000, t.Count);
            var ties = 0;
            var wholeMinutes = 0;
            for (var i = 0; i < t.Count; i++)
            {
                var ts = t.Timestamp(i);
                Assert.True(ts >= Now - TimeSpan.FromDays(180) && ts < Now, $"{t.Name}[{i}] outside the window");
                if (i > 0)
                {
                    Assert.True(ts >= t.Timestamp(i - 1));
                    if (ts == t.Timestamp(i - 1)) ties++;
                }
                if (ts.Ticks % TimeSpan.TicksPerMinute == 0) wholeMinutes++;
            }
            Assert.True(ties > 0, $"{t.Name}: no ties");
            Assert.True(wholeMinutes > 0, $"{t.Name}: no whole-minute rows");
            Assert.Equal(t.Count, Enumerable.Range(0, t.Count).Select(t.Id).Distinct().Count());
            var probe = t.Timestamp(t.Count / 2);
            var lo = t.LowerBound(probe);
            var hi = t.UpperBound(probe);
            Assert.True(lo < hi);
            Assert.All(Enumerable.Range(lo, hi - lo), i => Assert.Equal(probe, t.Timestamp(i)));
            Assert.True(lo == 0 || t.Timestamp(lo - 1) < probe);
            Assert.True(hi == t.Count || t.Timestamp(hi) > probe);
        }
    }

    [Fact]
    public void LogsAndRecordsShareOneUserPool()
    {
        var d = Make(records: 300);
        var recordUsers = d.Records.SelectMany(r => r.ParticipantIds).ToHashSet();
        var pstnUsers = Enumerable.Range(0, d.PstnCalls.Count).Select(i => (string)d.PstnCalls.BuildRow(i)["userId"]!).ToList();
        Assert.True(pstnUsers.Distinct().Count() < 200, "a bounded pool, so per-user reports group");
        Assert.True(pstnUsers.Count(recordUsers.Contains) > pstnUsers.Count / 2);
        Assert.All(Enumerable.Range(0, 50).Select(i => (string)d.PstnCalls.BuildRow(i)["userPrincipalName"]!), upn => Assert.EndsWith("@contoso.com", upn));
    }

    // ---- scale ---------------------------------------------------------------------------------------------------

    [Fact]
    public void HundredThousandRecordsGenerate()
    {
        var d = EmulatorDataSet.Generate(new GeneratorOptions { Seed = 7, Records = 100_000, LogRows = 100_000, Now = Now });
        Assert.Equal(100_000, d.Records.Count);
        Assert.Equal(100_000, d.PstnCalls.Count);
        Assert.True(d.Records[^1].StartDateTime >= d.Records[0].StartDateTime);
        Assert.Equal(d.Records[^1].Id, (string?)d.BuildCallRecord(99_999)["id"]);
        Assert.Equal(d.PstnCalls.Id(99_999), (string?)d.PstnCalls.BuildRow(99_999)["id"]);
    }

    [Fact]
    public void UnsetNowResolvesToCurrentUtc()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var d = EmulatorDataSet.Generate(new GeneratorOptions { Records = 5, LogRows = 5 });
        Assert.InRange(d.Options.Now, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.BuildCallRecord(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.PstnCalls.BuildRow(5));
    }

    private sealed class EntryComparer : IEqualityComparer<CallRecordEntry>
    {
        public bool Equals(CallRecordEntry? x, CallRecordEntry? y) =>
            x is not null && y is not null && x.Index == y.Index && x.Id == y.Id && x.StartDateTime == y.StartDateTime
            && x.EndDateTime == y.EndDateTime && x.Type == y.Type && x.ParticipantIds.SequenceEqual(y.ParticipantIds)
            && x.SessionCount == y.SessionCount && x.ParticipantCount == y.ParticipantCount;

        public int GetHashCode(CallRecordEntry obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
