using CallRecords.Models;
using CallRecords.Quality;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>CQD thresholds at their edges: equal is not poor, just past is poor, missing is Unclassified; for video,
/// every row of CQD's first-available-metric table.</summary>
public class StreamClassifierTests
{
    private static CallRecordMediaStream GoodAudio() => new()
    {
        AverageAudioDegradation = 0.4f,
        AverageRoundTripTime = TimeSpan.FromMilliseconds(80),
        AveragePacketLossRate = 0.01f,
        AverageJitter = TimeSpan.FromMilliseconds(5),
        AverageRatioOfConcealedSamples = 0.01f,
    };

    public static TheoryData<string, Action<CallRecordMediaStream>, Action<CallRecordMediaStream>> AudioEdges => new()
    {
        { nameof(CallRecordMediaStream.AverageAudioDegradation), s => s.AverageAudioDegradation = 1.0f, s => s.AverageAudioDegradation = 1.0001f },
        { nameof(CallRecordMediaStream.AverageRoundTripTime), s => s.AverageRoundTripTime = TimeSpan.FromMilliseconds(500), s => s.AverageRoundTripTime = TimeSpan.FromMilliseconds(500) + TimeSpan.FromTicks(1) },
        { nameof(CallRecordMediaStream.AveragePacketLossRate), s => s.AveragePacketLossRate = 0.1f, s => s.AveragePacketLossRate = 0.1001f },
        { nameof(CallRecordMediaStream.AverageJitter), s => s.AverageJitter = TimeSpan.FromMilliseconds(30), s => s.AverageJitter = TimeSpan.FromMilliseconds(31) },
        { nameof(CallRecordMediaStream.AverageRatioOfConcealedSamples), s => s.AverageRatioOfConcealedSamples = 0.07f, s => s.AverageRatioOfConcealedSamples = 0.0701f },
    };

    [Theory]
    [MemberData(nameof(AudioEdges))]
    public void AudioThresholdEqualIsGoodJustAboveIsPoor(string metric, Action<CallRecordMediaStream> atEdge, Action<CallRecordMediaStream> above)
    {
        var equal = GoodAudio();
        atEdge(equal);
        var e = StreamClassifier.Classify(StreamKind.Audio, equal);
        Assert.Equal(StreamQuality.Good, e.Quality);
        Assert.Empty(e.PoorReasons);

        var over = GoodAudio();
        above(over);
        var p = StreamClassifier.Classify(StreamKind.Audio, over);
        Assert.Equal(StreamQuality.Poor, p.Quality);
        Assert.Equal(new[] { metric }, p.PoorReasons);
    }

    [Fact]
    public void AudioListsEveryExceededMetric()
    {
        var s = GoodAudio();
        s.AverageJitter = TimeSpan.FromMilliseconds(60);
        s.AveragePacketLossRate = 0.3f;
        var c = StreamClassifier.Classify(StreamKind.Audio, s);
        Assert.Equal(StreamQuality.Poor, c.Quality);
        Assert.Equal(new[] { "AveragePacketLossRate", "AverageJitter" }, c.PoorReasons);
        Assert.Equal("AveragePacketLossRate;AverageJitter", c.PoorReasons.ToString());
    }

    [Fact]
    public void AudioWithAllFiveMissingIsUnclassifiedButOnePresentClassifies()
    {
        Assert.Equal(StreamQuality.Unclassified, StreamClassifier.Classify(StreamKind.Audio, new CallRecordMediaStream()).Quality);
        // Graph leaves averageAudioDegradation null on some healthy streams: the others still classify.
        var partial = GoodAudio();
        partial.AverageAudioDegradation = null;
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(StreamKind.Audio, partial).Quality);
        var onlyJitter = new CallRecordMediaStream { AverageJitter = TimeSpan.FromMilliseconds(31) };
        Assert.Equal(StreamQuality.Poor, StreamClassifier.Classify(StreamKind.Audio, onlyJitter).Quality);
    }

    // CQD's video and VBSS decision table, row by row: the first available metric decides (inside → Good, outside →
    // Poor), whatever the later ones say; an unavailable metric passes to the next; none available → Unclassified.
    // Each row sets the metrics before the deciding one to null and every later one to a clearly Poor value.
    private const float BadFrameRate = 0.5f;
    private const float BadPostFec = 0.9f;

    private static CallRecordMediaStream AllLaterBad() => new()
    {
        AverageVideoFrameLossPercentage = 95f,
        AverageVideoFrameRate = BadFrameRate,
        AverageReceivedFrameRate = BadFrameRate,
        PostForwardErrorCorrectionPacketLossRate = BadPostFec,
    };

    public static TheoryData<StreamKind, string, float, float> VideoDecisionTable()
    {
        var rows = new TheoryData<StreamKind, string, float, float>();
        foreach (var (kind, minimum) in new[] { (StreamKind.Video, 7f), (StreamKind.VideoBasedScreenSharing, 2f) })
        {
            // metric, value at the edge (inside: equal is not poor), value just outside
            rows.Add(kind, nameof(CallRecordMediaStream.AverageVideoFrameLossPercentage), 50f, 50.01f);
            rows.Add(kind, nameof(CallRecordMediaStream.AverageVideoFrameRate), minimum, minimum - 0.01f);
            rows.Add(kind, nameof(CallRecordMediaStream.AverageReceivedFrameRate), minimum, minimum - 0.01f);
            rows.Add(kind, nameof(CallRecordMediaStream.PostForwardErrorCorrectionPacketLossRate), 0.15f, 0.1501f);
        }
        return rows;
    }

    private static readonly string[] VideoOrder =
    {
        nameof(CallRecordMediaStream.AverageVideoFrameLossPercentage), nameof(CallRecordMediaStream.AverageVideoFrameRate),
        nameof(CallRecordMediaStream.AverageReceivedFrameRate), nameof(CallRecordMediaStream.PostForwardErrorCorrectionPacketLossRate),
    };

    /// <summary>A stream whose first available metric is <paramref name="metric"/> with <paramref name="value"/>:
    /// every earlier one missing, every later one Poor.</summary>
    private static CallRecordMediaStream Deciding(string metric, float value)
    {
        var s = AllLaterBad();
        var position = Array.IndexOf(VideoOrder, metric);
        Assert.True(position >= 0, metric);
        for (var k = 0; k < position; k++) Set(s, VideoOrder[k], null);
        Set(s, metric, value);
        return s;
    }

    private static void Set(CallRecordMediaStream s, string metric, float? value) =>
        typeof(CallRecordMediaStream).GetProperty(metric)!.SetValue(s, value);

    [Theory]
    [MemberData(nameof(VideoDecisionTable))]
    public void VideoTheFirstAvailableMetricInsideItsLimitIsGoodAndStops(StreamKind kind, string metric, float inside, float outside)
    {
        _ = outside;
        var c = StreamClassifier.Classify(kind, Deciding(metric, inside));
        Assert.Equal(StreamQuality.Good, c.Quality);
        Assert.Empty(c.PoorReasons);
    }

    [Theory]
    [MemberData(nameof(VideoDecisionTable))]
    public void VideoTheFirstAvailableMetricOutsideItsLimitIsPoorAndNamesIt(StreamKind kind, string metric, float inside, float outside)
    {
        _ = inside;
        var c = StreamClassifier.Classify(kind, Deciding(metric, outside));
        Assert.Equal(StreamQuality.Poor, c.Quality);
        Assert.Equal(new[] { metric }, c.PoorReasons);
    }

    [Theory]
    [InlineData(StreamKind.Video)]
    [InlineData(StreamKind.VideoBasedScreenSharing)]
    public void VideoWithNoneOfItsMetricsIsUnclassified(StreamKind kind)
    {
        Assert.Equal(StreamQuality.Unclassified, StreamClassifier.Classify(kind, new CallRecordMediaStream()).Quality);
        // Audio-style metrics do not classify video.
        var audioOnly = new CallRecordMediaStream { AverageJitter = TimeSpan.FromMilliseconds(90), AveragePacketLossRate = 0.5f };
        Assert.Equal(StreamQuality.Unclassified, StreamClassifier.Classify(kind, audioOnly).Quality);
    }

    [Fact]
    public void AverageVideoFrameRateComesBeforeAverageReceivedFrameRate()
    {
        // Both reported and disagreeing: CQD's "Video Frame Rate Avg" is averageVideoFrameRate.
        var s = new CallRecordMediaStream { AverageVideoFrameRate = 25f, AverageReceivedFrameRate = 1f };
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(StreamKind.Video, s).Quality);
        s = new CallRecordMediaStream { AverageVideoFrameRate = 1f, AverageReceivedFrameRate = 25f };
        Assert.Equal(new[] { "AverageVideoFrameRate" }, StreamClassifier.Classify(StreamKind.Video, s).PoorReasons);
    }

    [Fact]
    public void ScreenSharingAtAVideoPoorFrameRateIsStillGood()
    {
        var s = new CallRecordMediaStream { AverageVideoFrameRate = 5f };
        Assert.Equal(StreamQuality.Poor, StreamClassifier.Classify(StreamKind.Video, s).Quality);
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(StreamKind.VideoBasedScreenSharing, s).Quality);
    }

    [Fact]
    public void OtherMediaIsUnclassified() =>
        Assert.Equal(StreamQuality.Unclassified, StreamClassifier.Classify(StreamKind.Other, GoodAudio()).Quality);

    [Theory]
    [InlineData("main-audio", StreamKind.Audio)]
    [InlineData("MAIN-AUDIO", StreamKind.Audio)]
    [InlineData("main-video", StreamKind.Video)]
    [InlineData("applicationsharing-video", StreamKind.VideoBasedScreenSharing)]
    [InlineData("data", StreamKind.Other)]
    [InlineData("applicationsharing-data", StreamKind.Other)]
    public void KindFollowsTheMediaLabel(string label, StreamKind kind) => Assert.Equal(kind, StreamClassifier.KindOf(label));

    [Fact]
    public void WithoutALabelTheCodecDecides()
    {
        Assert.Equal(StreamKind.Audio, StreamClassifier.KindOf(null, new CallRecordMediaStream { AudioCodec = "opus" }));
        Assert.Equal(StreamKind.Video, StreamClassifier.KindOf(null, new CallRecordMediaStream { VideoCodec = "h264" }));
        Assert.Equal(StreamKind.Other, StreamClassifier.KindOf(null, new CallRecordMediaStream()));
    }
}
