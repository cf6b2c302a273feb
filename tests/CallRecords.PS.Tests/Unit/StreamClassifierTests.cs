using CallRecords.Models;
using CallRecords.Quality;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>CQD thresholds at their edges: equal is not poor, just past is poor, missing is Unclassified.</summary>
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

    private static CallRecordMediaStream GoodVideo() => new()
    {
        AverageVideoFrameLossPercentage = 3f,
        AverageReceivedFrameRate = 25f,
        PostForwardErrorCorrectionPacketLossRate = 0.01f,
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

    [Theory]
    [InlineData(StreamKind.Video, 7f, 6.99f)]
    [InlineData(StreamKind.VideoBasedScreenSharing, 2f, 1.99f)]
    public void FrameRateEqualToTheMinimumIsGoodJustBelowIsPoor(StreamKind kind, float minimum, float below)
    {
        var equal = GoodVideo();
        equal.AverageReceivedFrameRate = minimum;
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(kind, equal).Quality);
        var low = GoodVideo();
        low.AverageReceivedFrameRate = below;
        var c = StreamClassifier.Classify(kind, low);
        Assert.Equal(StreamQuality.Poor, c.Quality);
        Assert.Equal(new[] { "AverageReceivedFrameRate" }, c.PoorReasons);
    }

    [Fact]
    public void ScreenSharingAtAVideoPoorFrameRateIsStillGood()
    {
        var s = GoodVideo();
        s.AverageReceivedFrameRate = 5f;
        Assert.Equal(StreamQuality.Poor, StreamClassifier.Classify(StreamKind.Video, s).Quality);
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(StreamKind.VideoBasedScreenSharing, s).Quality);
    }

    [Theory]
    [InlineData(StreamKind.Video)]
    [InlineData(StreamKind.VideoBasedScreenSharing)]
    public void VideoFrameLossAndPostFecEdges(StreamKind kind)
    {
        var lossEqual = GoodVideo();
        lossEqual.AverageVideoFrameLossPercentage = 50f;
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(kind, lossEqual).Quality);
        var lossOver = GoodVideo();
        lossOver.AverageVideoFrameLossPercentage = 50.01f;
        Assert.Equal(new[] { "AverageVideoFrameLossPercentage" }, StreamClassifier.Classify(kind, lossOver).PoorReasons);

        var fecEqual = GoodVideo();
        fecEqual.PostForwardErrorCorrectionPacketLossRate = 0.15f;
        Assert.Equal(StreamQuality.Good, StreamClassifier.Classify(kind, fecEqual).Quality);
        var fecOver = GoodVideo();
        fecOver.PostForwardErrorCorrectionPacketLossRate = 0.1501f;
        Assert.Equal(new[] { "PostForwardErrorCorrectionPacketLossRate" }, StreamClassifier.Classify(kind, fecOver).PoorReasons);
    }

    [Fact]
    public void VideoReportsTheFirstReasonInCqdOrder()
    {
        var s = new CallRecordMediaStream
        {
            AverageVideoFrameLossPercentage = 80f,
            AverageReceivedFrameRate = 1f,
            PostForwardErrorCorrectionPacketLossRate = 0.5f,
        };
        Assert.Equal(new[] { "AverageVideoFrameLossPercentage" }, StreamClassifier.Classify(StreamKind.Video, s).PoorReasons);
        s.AverageVideoFrameLossPercentage = null;
        Assert.Equal(new[] { "AverageReceivedFrameRate" }, StreamClassifier.Classify(StreamKind.Video, s).PoorReasons);
        s.AverageReceivedFrameRate = null;
        Assert.Equal(new[] { "PostForwardErrorCorrectionPacketLossRate" }, StreamClassifier.Classify(StreamKind.Video, s).PoorReasons);
    }

    [Fact]
    public void VideoWithoutItsMetricsIsUnclassifiedAndTheOtherFrameRateFieldIsAFallback()
    {
        // Audio-style metrics do not classify video.
        var none = new CallRecordMediaStream { AverageJitter = TimeSpan.FromMilliseconds(90), AveragePacketLossRate = 0.5f };
        Assert.Equal(StreamQuality.Unclassified, StreamClassifier.Classify(StreamKind.Video, none).Quality);
        var fallback = new CallRecordMediaStream { AverageVideoFrameRate = 3f };
        Assert.Equal(new[] { "AverageVideoFrameRate" }, StreamClassifier.Classify(StreamKind.Video, fallback).PoorReasons);
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
