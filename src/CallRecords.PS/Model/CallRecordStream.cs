using System;

namespace CallRecords.Models;

/// <summary>Call Quality Dashboard class of a media stream.</summary>
public enum StreamQuality
{
    /// <summary>The metrics that classify the stream are missing (no QoE report, very short call) or it is not
    /// audio, video or screen sharing.</summary>
    Unclassified,
    Good,
    Poor,
}

/// <summary>What a media stream carries, from its media label.</summary>
public enum StreamKind
{
    /// <summary>data and any label that is not audio, video or video-based screen sharing.</summary>
    Other,
    /// <summary>main-audio.</summary>
    Audio,
    /// <summary>main-video.</summary>
    Video,
    /// <summary>applicationsharing-video (VBSS).</summary>
    VideoBasedScreenSharing,
}

/// <summary>
/// One media stream of one segment as a flat row (Get-CallRecordStream): where it belongs (record, session,
/// segment), who was on each side and with what (identity, client, network, devices), the stream's own metrics
/// under Graph's names, and its Call Quality Dashboard class. Every property is a scalar or converts to readable
/// text, so Export-Csv writes one readable row per stream.
/// </summary>
public sealed class CallRecordStream
{
    /// <summary>The connection this object was read through (not shown): cmdlets it is piped to read the same tenant.</summary>
    internal CallRecords.Connection.CallRecordConnection? Origin { get; set; }

    public string CallRecordId { get; set; } = string.Empty;
    public string SessionId { get; set; } = string.Empty;
    public string SegmentId { get; set; } = string.Empty;
    /// <summary>The stream's start, else its segment's.</summary>
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
    public TimeSpan? Duration { get; set; }

    public StreamQuality Quality { get; set; }
    /// <summary>Metrics past their CQD threshold (text form "AverageJitter;AveragePacketLossRate").</summary>
    public ValueList PoorReasons { get; set; } = ValueList.Empty;
    public StreamKind StreamKind { get; set; }
    /// <summary>Graph's media label: main-audio, main-video, applicationsharing-video, data, …</summary>
    public string? MediaLabel { get; set; }
    public string? StreamId { get; set; }
    /// <summary>callerToCallee or calleeToCaller.</summary>
    public string? StreamDirection { get; set; }
    /// <summary>Who sent the stream: the caller's name for callerToCallee, the callee's otherwise.</summary>
    public string? SenderName { get; set; }
    public string? ReceiverName { get; set; }

    public string? CallerName { get; set; }
    /// <summary>The caller's identity kind (user, phone, guest, acsUser, …) or "service" for a service endpoint.</summary>
    public string? CallerKind { get; set; }
    public string? CallerId { get; set; }
    public string? CallerUserPrincipalName { get; set; }
    public string? CallerPlatform { get; set; }
    public string? CallerProductFamily { get; set; }
    public string? CallerUserAgent { get; set; }
    public string? CalleeName { get; set; }
    public string? CalleeKind { get; set; }
    public string? CalleeId { get; set; }
    public string? CalleeUserPrincipalName { get; set; }
    public string? CalleePlatform { get; set; }
    public string? CalleeProductFamily { get; set; }
    public string? CalleeUserAgent { get; set; }

    public string? CallerConnectionType { get; set; }
    public string? CallerWifiBand { get; set; }
    public int? CallerWifiSignalStrength { get; set; }
    public string? CallerIpAddress { get; set; }
    public string? CallerSubnet { get; set; }
    public string? CallerReflexiveIPAddress { get; set; }
    public string? CallerRelayIPAddress { get; set; }
    public long? CallerLinkSpeed { get; set; }
    public string? CallerNetworkTransportProtocol { get; set; }
    public string? CalleeConnectionType { get; set; }
    public string? CalleeWifiBand { get; set; }
    public int? CalleeWifiSignalStrength { get; set; }
    public string? CalleeIpAddress { get; set; }
    public string? CalleeSubnet { get; set; }
    public string? CalleeReflexiveIPAddress { get; set; }
    public string? CalleeRelayIPAddress { get; set; }
    public long? CalleeLinkSpeed { get; set; }
    public string? CalleeNetworkTransportProtocol { get; set; }

    public string? CallerCaptureDeviceName { get; set; }
    public string? CallerRenderDeviceName { get; set; }
    public string? CalleeCaptureDeviceName { get; set; }
    public string? CalleeRenderDeviceName { get; set; }

    public string? AudioCodec { get; set; }
    public string? VideoCodec { get; set; }
    public float? AverageAudioDegradation { get; set; }
    public TimeSpan? AverageAudioNetworkJitter { get; set; }
    public long? AverageBandwidthEstimate { get; set; }
    public TimeSpan? AverageFreezeDuration { get; set; }
    public TimeSpan? AverageJitter { get; set; }
    public float? AveragePacketLossRate { get; set; }
    public float? AverageRatioOfConcealedSamples { get; set; }
    public float? AverageReceivedFrameRate { get; set; }
    public TimeSpan? AverageRoundTripTime { get; set; }
    public float? AverageVideoFrameLossPercentage { get; set; }
    public float? AverageVideoFrameRate { get; set; }
    public float? AverageVideoPacketLossRate { get; set; }
    public bool? IsAudioForwardErrorCorrectionUsed { get; set; }
    public float? LowFrameRateRatio { get; set; }
    public float? LowVideoProcessingCapabilityRatio { get; set; }
    public TimeSpan? MaxAudioNetworkJitter { get; set; }
    public TimeSpan? MaxJitter { get; set; }
    public float? MaxPacketLossRate { get; set; }
    public float? MaxRatioOfConcealedSamples { get; set; }
    public TimeSpan? MaxRoundTripTime { get; set; }
    public long? PacketUtilization { get; set; }
    public float? PostForwardErrorCorrectionPacketLossRate { get; set; }
    public TimeSpan? RmsFreezeDuration { get; set; }
    public bool? WasMediaBypassed { get; set; }

    public override string ToString() => $"{MediaLabel} {StreamDirection} {Quality}";
}
