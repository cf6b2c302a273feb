using System.Globalization;
using System.Text.Json;
using CallRecords.Models;
using CallRecords.Models.Mapping;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The stream metrics are defined once (CallRecordMediaStream's properties) and reach the flat row through
/// that one table.</summary>
public sealed class StreamMetricsTests
{
    /// <summary>Graph's mediaStream has 26 metrics besides its id, direction and times; the row has each under the
    /// same name and type.</summary>
    [Fact]
    public void The_table_has_the_26_metrics_of_a_media_stream_and_the_row_has_each()
    {
        Assert.Equal(26, StreamMetrics.All.Count);
        Assert.Equal(StreamMetrics.All.Count, StreamMetrics.All.Select(m => m.Name).Distinct().Count());
        foreach (var m in StreamMetrics.All)
        {
            var nested = typeof(CallRecordMediaStream).GetProperty(m.Name)!;
            Assert.Equal(nested.PropertyType, typeof(CallRecordStream).GetProperty(m.Name)!.PropertyType);
            Assert.Equal(char.ToLowerInvariant(m.Name[0]) + m.Name[1..], m.JsonName);
        }
    }

    /// <summary>Every metric given in the JSON comes out on the row with its own value (each a different one, so a
    /// metric copied to the wrong property would show).</summary>
    [Fact]
    public void Each_metric_goes_from_the_JSON_to_the_row_under_its_own_name()
    {
        var values = new Dictionary<string, object>();
        var json = new Dictionary<string, object> { ["streamId"] = "s1", ["streamDirection"] = "callerToCallee" };
        var n = 0;
        foreach (var m in StreamMetrics.All)
        {
            n++;
            var type = Nullable.GetUnderlyingType(typeof(CallRecordMediaStream).GetProperty(m.Name)!.PropertyType) ?? typeof(string);
            (object wire, object expected) = type switch
            {
                _ when type == typeof(string) => ((object)("codec" + n), (object)("codec" + n)),
                _ when type == typeof(float) => (n + 0.5, (float)(n + 0.5)),
                _ when type == typeof(long) => (1000L * n, 1000L * n),
                _ when type == typeof(bool) => (n % 2 == 0, n % 2 == 0),
                _ when type == typeof(TimeSpan) => ("PT0." + n.ToString("000", CultureInfo.InvariantCulture) + "S", TimeSpan.FromMilliseconds(n)),
                _ => throw new InvalidOperationException(type.Name),
            };
            json[m.JsonName] = wire;
            values[m.Name] = expected;
        }
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(json));
        var stream = CallRecordMapper.MapStream(doc.RootElement);
        var segment = new CallRecordSegment { CallRecordId = "r", SessionId = "s", Id = "g" };
        var row = StreamRows.Row(segment, new CallRecordMedia { Label = "main-audio" }, stream);
        Assert.Equal("s1", row.StreamId);
        foreach (var (name, expected) in values)
        {
            Assert.Equal(expected, typeof(CallRecordMediaStream).GetProperty(name)!.GetValue(stream));
            Assert.Equal(expected, typeof(CallRecordStream).GetProperty(name)!.GetValue(row));
        }
    }
}
