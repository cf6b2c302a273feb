using System;

namespace CallRecords.Models;

/// <summary>media of a segment: one label (main-audio, main-video, …) with both sides' network and device data
/// and its streams. Kept typed so stream rows and quality classification can be built on top.</summary>
public sealed class CallRecordMedia
{
    public string? Label { get; set; }
    public CallRecordNetwork? CallerNetwork { get; set; }
    public CallRecordNetwork? CalleeNetwork { get; set; }
    public CallRecordDevice? CallerDevice { get; set; }
    public CallRecordDevice? CalleeDevice { get; set; }
    public ModelList<CallRecordMediaStream> Streams { get; set; } = ModelList<CallRecordMediaStream>.Empty;

    public override string ToString() => Label ?? string.Empty;
}

/// <summary>mediaStream: one direction of one media, with Graph's quality metrics.</summary>
public sealed class CallRecordMediaStream
{
    public string? StreamId { get; set; }
    /// <summary>callerToCallee or calleeToCaller.</summary>
    public string? StreamDirection { get; set; }
    public DateTimeOffset? StartDateTime { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
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

    public override string ToString() => StreamId ?? string.Empty;
}

/// <summary>networkInfo of one side of a media.</summary>
public sealed class CallRecordNetwork
{
    public string? ConnectionType { get; set; }
    public string? IpAddress { get; set; }
    public string? Subnet { get; set; }
    public int? Port { get; set; }
    public string? ReflexiveIPAddress { get; set; }
    public string? RelayIPAddress { get; set; }
    public int? RelayPort { get; set; }
    public string? MacAddress { get; set; }
    public string? DnsSuffix { get; set; }
    public long? LinkSpeed { get; set; }
    public string? NetworkTransportProtocol { get; set; }
    public string? BasicServiceSetIdentifier { get; set; }
    public string? WifiBand { get; set; }
    public int? WifiBatteryCharge { get; set; }
    public int? WifiChannel { get; set; }
    public string? WifiMicrosoftDriver { get; set; }
    public string? WifiMicrosoftDriverVersion { get; set; }
    public string? WifiRadioType { get; set; }
    public int? WifiSignalStrength { get; set; }
    public string? WifiVendorDriver { get; set; }
    public string? WifiVendorDriverVersion { get; set; }
    public float? BandwidthLowEventRatio { get; set; }
    public float? DelayEventRatio { get; set; }
    public float? ReceivedQualityEventRatio { get; set; }
    public float? SentQualityEventRatio { get; set; }
    public ModelList<CallRecordTraceRouteHop> TraceRouteHops { get; set; } = ModelList<CallRecordTraceRouteHop>.Empty;

    public override string ToString() => IpAddress is null ? ConnectionType ?? string.Empty : $"{ConnectionType} {IpAddress}";
}

/// <summary>traceRouteHop of a networkInfo.</summary>
public sealed class CallRecordTraceRouteHop
{
    public int? HopCount { get; set; }
    public string? IpAddress { get; set; }
    public TimeSpan? RoundTripTime { get; set; }

    public override string ToString() => IpAddress ?? string.Empty;
}

/// <summary>deviceInfo of one side of a media.</summary>
public sealed class CallRecordDevice
{
    public string? CaptureDeviceName { get; set; }
    public string? CaptureDeviceDriver { get; set; }
    public string? RenderDeviceName { get; set; }
    public string? RenderDeviceDriver { get; set; }
    public float? CaptureNotFunctioningEventRatio { get; set; }
    public float? CpuInsufficentEventRatio { get; set; }
    public float? DeviceClippingEventRatio { get; set; }
    public float? DeviceGlitchEventRatio { get; set; }
    public int? HowlingEventCount { get; set; }
    public float? InitialSignalLevelRootMeanSquare { get; set; }
    public float? LowSpeechLevelEventRatio { get; set; }
    public float? LowSpeechToNoiseEventRatio { get; set; }
    public float? MicGlitchRate { get; set; }
    public int? ReceivedNoiseLevel { get; set; }
    public int? ReceivedSignalLevel { get; set; }
    public float? RenderMuteEventRatio { get; set; }
    public float? RenderNotFunctioningEventRatio { get; set; }
    public float? RenderZeroVolumeEventRatio { get; set; }
    public int? SentNoiseLevel { get; set; }
    public int? SentSignalLevel { get; set; }
    public float? SpeakerGlitchRate { get; set; }

    public override string ToString() => CaptureDeviceName ?? RenderDeviceName ?? string.Empty;
}
