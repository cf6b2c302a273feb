using System;
using System.Collections.Generic;
using CallRecords.Models;

namespace CallRecords.Quality;

/// <summary>
/// The Teams Call Quality Dashboard's stream classification (Good | Poor | Unclassified), applied to one Graph
/// mediaStream. A stream is Poor when a metric is strictly past its threshold (equal is not poor); audio is Good when
/// the metrics it has are all inside, video and screen sharing are decided by their first available metric (see
/// ClassifyVideo); Unclassified when it has none of the metrics that classify its kind (no QoE report, very short
/// calls) or is not audio/video/screen sharing.
/// </summary>
internal static class StreamClassifier
{
    /// <summary>The rules' version, stored with every archived stream row (docs/archive.md): raise it whenever a
    /// threshold or rule here changes, so archived rows classified by older rules can be found and reclassified.</summary>
    public const int Version = 1;

    // Audio: Poor if any one is exceeded.
    public const float AudioDegradationLimit = 1.0f;
    public static readonly TimeSpan RoundTripTimeLimit = TimeSpan.FromMilliseconds(500);
    public const float PacketLossRateLimit = 0.1f;
    public static readonly TimeSpan JitterLimit = TimeSpan.FromMilliseconds(30);
    public const float ConcealedSamplesLimit = 0.07f;

    // Video and video-based screen sharing: the first available of these decides.
    public const float VideoFrameLossPercentageLimit = 50f;
    public const float VideoFrameRateMinimum = 7f;
    public const float ScreenSharingFrameRateMinimum = 2f;
    public const float PostFecPacketLossRateLimit = 0.15f;

    /// <summary>The stream kind of a media label: main-audio → Audio, main-video → Video,
    /// applicationsharing-video → VideoBasedScreenSharing, anything else (data, …) → Other. Unknown labels fall
    /// back to the codecs the stream reports.</summary>
    public static StreamKind KindOf(string? label, CallRecordMediaStream? stream = null)
    {
        var l = label?.Trim().ToLowerInvariant() ?? string.Empty;
        if (l.Contains("applicationsharing") || l.Contains("screensharing")) return l.EndsWith("video", StringComparison.Ordinal) ? StreamKind.VideoBasedScreenSharing : StreamKind.Other;
        if (l.EndsWith("audio", StringComparison.Ordinal)) return StreamKind.Audio;
        if (l.EndsWith("video", StringComparison.Ordinal)) return StreamKind.Video;
        if (l.Length == 0 && stream is not null)
        {
            if (stream.AudioCodec is not null) return StreamKind.Audio;
            if (stream.VideoCodec is not null) return StreamKind.Video;
        }
        return StreamKind.Other;
    }

    /// <summary>Quality of one stream and, when Poor, the metrics (Graph's names, capitalised) that made it so:
    /// every exceeded one for audio, the deciding (first available) one for video.</summary>
    public static StreamClassification Classify(StreamKind kind, CallRecordMediaStream stream)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        switch (kind)
        {
            case StreamKind.Audio: return ClassifyAudio(stream);
            case StreamKind.Video: return ClassifyVideo(stream, VideoFrameRateMinimum);
            case StreamKind.VideoBasedScreenSharing: return ClassifyVideo(stream, ScreenSharingFrameRateMinimum);
            default: return StreamClassification.Unclassified;
        }
    }

    private static StreamClassification ClassifyAudio(CallRecordMediaStream s)
    {
        if (s.AverageAudioDegradation is null && s.AverageRoundTripTime is null && s.AveragePacketLossRate is null
            && s.AverageJitter is null && s.AverageRatioOfConcealedSamples is null)
            return StreamClassification.Unclassified;
        var reasons = new List<string>();
        // Compared as float against float limits: a value sent as exactly 0.1 parses to 0.1f and is not "above".
        if (s.AverageAudioDegradation > AudioDegradationLimit) reasons.Add(nameof(CallRecordMediaStream.AverageAudioDegradation));
        if (s.AverageRoundTripTime > RoundTripTimeLimit) reasons.Add(nameof(CallRecordMediaStream.AverageRoundTripTime));
        if (s.AveragePacketLossRate > PacketLossRateLimit) reasons.Add(nameof(CallRecordMediaStream.AveragePacketLossRate));
        if (s.AverageJitter > JitterLimit) reasons.Add(nameof(CallRecordMediaStream.AverageJitter));
        if (s.AverageRatioOfConcealedSamples > ConcealedSamplesLimit) reasons.Add(nameof(CallRecordMediaStream.AverageRatioOfConcealedSamples));
        return reasons.Count == 0 ? StreamClassification.Good : new StreamClassification(StreamQuality.Poor, reasons);
    }

    // CQD's video and video-based screen sharing classifiers (Teams docs, "Stream Classification in Call Quality
    // Dashboard"): the FIRST AVAILABLE metric, in this order, decides; later metrics are not looked at.
    //
    //   step | CQD metric                      | Graph property                                | Poor when       | available and inside
    //   -----+---------------------------------+-----------------------------------------------+-----------------+---------------------
    //   1    | Video Local Frame Loss % Avg    | averageVideoFrameLossPercentage               | > 50 %          | Good, stop
    //   2    | Video Frame Rate Avg            | averageVideoFrameRate                         | < 7 (VBSS: < 2) | Good, stop
    //        |                                 |   (fallback: averageReceivedFrameRate)        |                 |
    //   3    | Video Post FECPLR               | postForwardErrorCorrectionPacketLossRate      | > 0.15          | Good, stop
    //   -    | none of them available          |                                               |                 | Unclassified
    //
    // CQD describes "Video Frame Rate Avg" as the "average frames per second received for a video stream, computed
    // over the duration of the session", which is word for word Graph's description of averageVideoFrameRate;
    // averageReceivedFrameRate is described "for all video streams", so it only stands in when the first is missing.
    private static StreamClassification ClassifyVideo(CallRecordMediaStream s, float frameRateMinimum)
    {
        if (s.AverageVideoFrameLossPercentage is { } frameLoss)
            return frameLoss > VideoFrameLossPercentageLimit ? Poor(nameof(CallRecordMediaStream.AverageVideoFrameLossPercentage)) : StreamClassification.Good;
        if (s.AverageVideoFrameRate is { } videoFrameRate)
            return videoFrameRate < frameRateMinimum ? Poor(nameof(CallRecordMediaStream.AverageVideoFrameRate)) : StreamClassification.Good;
        if (s.AverageReceivedFrameRate is { } receivedFrameRate)
            return receivedFrameRate < frameRateMinimum ? Poor(nameof(CallRecordMediaStream.AverageReceivedFrameRate)) : StreamClassification.Good;
        if (s.PostForwardErrorCorrectionPacketLossRate is { } postFec)
            return postFec > PostFecPacketLossRateLimit ? Poor(nameof(CallRecordMediaStream.PostForwardErrorCorrectionPacketLossRate)) : StreamClassification.Good;
        return StreamClassification.Unclassified;
    }

    private static StreamClassification Poor(string reason) => new(StreamQuality.Poor, new[] { reason });
}

/// <summary>The result of <see cref="StreamClassifier.Classify"/>.</summary>
internal sealed class StreamClassification
{
    public static readonly StreamClassification Good = new(StreamQuality.Good, Array.Empty<string>());
    public static readonly StreamClassification Unclassified = new(StreamQuality.Unclassified, Array.Empty<string>());

    public StreamClassification(StreamQuality quality, IList<string> poorReasons)
    {
        Quality = quality;
        PoorReasons = new ValueList(poorReasons);
    }

    public StreamQuality Quality { get; }
    public ValueList PoorReasons { get; }
}
