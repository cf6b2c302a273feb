using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using CallRecords.Cmdlets;
using CallRecords.Graph;
using CallRecords.Models.Mapping;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Unit;

/// <summary>Request bodies of the write cmdlets: PowerShell values to Graph-shaped JSON.</summary>
public sealed class JsonBodyTests
{
    private static JsonElement Parse(byte[] json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData(16, "PT0.016S")]
    [InlineData(0, "PT0S")]
    [InlineData(1500, "PT1.5S")]
    [InlineData(61_000, "PT1M1S")]
    [InlineData(3_600_000, "PT1H")]
    [InlineData(90_061_001, "P1DT1H1M1.001S")]
    [InlineData(86_400_000, "P1D")]
    [InlineData(-250, "-PT0.25S")]
    public void DurationsAreIso8601AndParseBackToTheSameTimeSpan(long milliseconds, string expected)
    {
        var span = TimeSpan.FromMilliseconds(milliseconds);
        var text = JsonBody.FormatDuration(span);
        Assert.Equal(expected, text);
        Assert.True(IsoDuration.TryParse(text, out var back));
        Assert.Equal(span, back);
    }

    [Fact]
    public void SubMillisecondPrecisionSurvives()
    {
        var span = TimeSpan.FromTicks(1234567);
        Assert.Equal("PT0.1234567S", JsonBody.FormatDuration(span));
    }

    [Fact]
    public void HashtablesPsCustomObjectsArraysDatesAndDurationsConvertRecursively()
    {
        var stream = new PSObject();
        stream.Properties.Add(new PSNoteProperty("streamDirection", "callerToCallee"));
        stream.Properties.Add(new PSNoteProperty("averageJitter", TimeSpan.FromMilliseconds(45)));
        stream.Properties.Add(new PSNoteProperty("averagePacketLossRate", 0.25));
        stream.Properties.Add(new PSNoteProperty("wasMediaBypassed", new SwitchParameter(true)));
        var body = new Hashtable
        {
            ["startDateTime"] = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(2)),
            ["endDateTime"] = new DateTime(2026, 3, 1, 8, 30, 0, DateTimeKind.Utc),
            ["media"] = new object[] { new Hashtable { ["label"] = "main-audio", ["streams"] = new object[] { new PSObject(stream) } } },
            ["version"] = 3L,
            ["nothing"] = null,
        };

        var json = Parse(JsonBody.SerializeObject(new PSObject(body), "BodyParameter"));

        Assert.Equal("2026-03-01T08:00:00Z", json.GetProperty("startDateTime").GetString());
        Assert.Equal("2026-03-01T08:30:00Z", json.GetProperty("endDateTime").GetString());
        Assert.Equal(3, json.GetProperty("version").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("nothing").ValueKind);
        var s = json.GetProperty("media")[0].GetProperty("streams")[0];
        Assert.Equal("main-audio", json.GetProperty("media")[0].GetProperty("label").GetString());
        Assert.Equal("callerToCallee", s.GetProperty("streamDirection").GetString());
        Assert.Equal("PT0.045S", s.GetProperty("averageJitter").GetString());
        Assert.Equal(0.25, s.GetProperty("averagePacketLossRate").GetDouble());
        Assert.True(s.GetProperty("wasMediaBypassed").GetBoolean());
    }

    [Fact]
    public void KeysKeepTheirSpellingAndOrder()
    {
        var ordered = new OrderedDictionary { ["participants_v2"] = Array.Empty<object>(), ["@odata.type"] = "#x", ["CamelCase"] = 1 };
        var text = Encoding.UTF8.GetString(JsonBody.SerializeObject(ordered, "BodyParameter"));
        Assert.Equal("{\"participants_v2\":[],\"@odata.type\":\"#x\",\"CamelCase\":1}", text);
    }

    [Fact]
    public void ValuesWithoutAJsonFormAreRefusedWithTheirPath()
    {
        var e = Assert.Throws<ArgumentException>(() => JsonBody.SerializeObject(new Hashtable { ["caller"] = new Hashtable { ["x"] = new Random(1) } }, "BodyParameter"));
        Assert.Contains("body.caller.x", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => JsonBody.SerializeObject("a string", "BodyParameter"));
        Assert.Throws<ArgumentException>(() => JsonBody.SerializeObject(new Hashtable { ["rate"] = double.NaN }, "BodyParameter"));
        var loop = new Hashtable();
        loop["self"] = loop;
        Assert.Contains("deeper", Assert.Throws<ArgumentException>(() => JsonBody.SerializeObject(loop, "BodyParameter")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EndpointShorthandsBecomeTypedEndpoints()
    {
        var user = Parse(JsonBody.Serialize(JsonBody.Endpoint("user-1", "Caller")));
        Assert.Equal(JsonBody.ParticipantEndpointType, user.GetProperty("@odata.type").GetString());
        Assert.Equal("user-1", user.GetProperty("identity").GetProperty("user").GetProperty("id").GetString());

        var service = Parse(JsonBody.Serialize(JsonBody.Endpoint(new Hashtable { ["userAgent"] = new Hashtable { ["role"] = "conferencingServer" } }, "Callee")));
        Assert.Equal(JsonBody.ServiceEndpointType, service.GetProperty("@odata.type").GetString());

        var given = Parse(JsonBody.Serialize(JsonBody.Endpoint(new Hashtable { ["@odata.type"] = "#custom", ["identity"] = new Hashtable() }, "Callee")));
        Assert.Equal("#custom", given.GetProperty("@odata.type").GetString());

        var participant = Parse(JsonBody.Serialize(JsonBody.Participant("user-2", "Participants")));
        Assert.Equal("user-2", participant.GetProperty("id").GetString());
        Assert.Equal("user-2", participant.GetProperty("identity").GetProperty("user").GetProperty("id").GetString());
        Assert.Throws<ArgumentException>(() => JsonBody.Endpoint(42, "Caller"));
    }

    [Fact]
    public void SessionBodiesCarryOnlyTheGivenProperties()
    {
        var end = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var only = SessionWriteCmdlet.SessionProperties(null, null, end, null, null, null);
        Assert.Equal(new[] { "endDateTime" }, only.Keys.Cast<string>());
        var json = Parse(JsonBody.Serialize(only));
        Assert.Equal(new[] { "endDateTime" }, json.EnumerateObject().Select(p => p.Name));

        var empty = SessionWriteCmdlet.SessionProperties(Array.Empty<string>(), null, null, null, null, new Hashtable { ["stage"] = "media" });
        Assert.Equal(new[] { "modalities", "failureInfo" }, empty.Keys.Cast<string>());
        Assert.Equal(0, Parse(JsonBody.Serialize(empty)).GetProperty("modalities").GetArrayLength());
    }
}
