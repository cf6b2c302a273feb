namespace GraphEmulator.Data;

/// <summary>Inputs of the seeded generator. The same options always produce the same data set.</summary>
public sealed record GeneratorOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>Number of call records.</summary>
    public int Records { get; init; } = 500;

    /// <summary>Records are spread over the last N days before <see cref="Now"/>.</summary>
    public int Days { get; init; } = 30;

    /// <summary>Fixed clock. When left at default, <see cref="EmulatorDataSet.Generate"/> uses the current UTC time
    /// truncated to the second and reports it back through <see cref="EmulatorDataSet.Options"/>.</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>Rows per PSTN / direct-routing / beta log table.</summary>
    public int LogRows { get; init; } = 5000;

    /// <summary>Log rows are spread over the last N days before <see cref="Now"/>.</summary>
    public int LogDays { get; init; } = 180;

    public string TenantId { get; init; } = "dc368399-474c-4d40-900c-6265431fd81f";
}

/// <summary>The in-memory index entry of one call record (the JSON is built on demand).</summary>
public sealed record CallRecordEntry(int Index, string Id, DateTimeOffset StartDateTime, DateTimeOffset EndDateTime,
    string Type, IReadOnlyList<string> ParticipantIds, int SessionCount, int ParticipantCount);

/// <summary>The designed quality class of one media stream: the ground truth for classifier tests.</summary>
/// <param name="Kind">Audio | Video | VideoBasedScreenSharing | Other</param>
/// <param name="Quality">Good | Poor | Unclassified</param>
/// <param name="PoorReason">For Poor streams the one metric pushed past its threshold (see <see cref="PoorReasons"/>).</param>
public sealed record StreamTruth(string CallRecordId, string SessionId, string SegmentId, string StreamId,
    string MediaLabel, string StreamDirection, string Kind, string Quality, string? PoorReason);

/// <summary>Names used in <see cref="StreamTruth.Kind"/>, <see cref="StreamTruth.Quality"/> and
/// <see cref="StreamTruth.PoorReason"/> (the reason is the Graph property name with a capital first letter).</summary>
public static class StreamKinds
{
    public const string Audio = "Audio";
    public const string Video = "Video";
    public const string VideoBasedScreenSharing = "VideoBasedScreenSharing";
    public const string Other = "Other";
}

public static class StreamQualities
{
    public const string Good = "Good";
    public const string Poor = "Poor";
    public const string Unclassified = "Unclassified";
}

public static class PoorReasons
{
    public const string AverageAudioDegradation = "AverageAudioDegradation";
    public const string AverageRoundTripTime = "AverageRoundTripTime";
    public const string AveragePacketLossRate = "AveragePacketLossRate";
    public const string AverageJitter = "AverageJitter";
    public const string AverageRatioOfConcealedSamples = "AverageRatioOfConcealedSamples";
    public const string AverageVideoFrameLossPercentage = "AverageVideoFrameLossPercentage";
    /// <summary>CQD's "Video Frame Rate Avg" is Graph's averageVideoFrameRate (the classifier's first choice).</summary>
    public const string AverageVideoFrameRate = "AverageVideoFrameRate";
    public const string PostForwardErrorCorrectionPacketLossRate = "PostForwardErrorCorrectionPacketLossRate";
}
