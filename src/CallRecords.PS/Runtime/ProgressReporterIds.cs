namespace CallRecords.Runtime;

/// <summary>Every Write-Progress activity id the module uses, in one place, so nested bars of different cmdlets in one
/// pipeline never merge ("CR" in the high bytes).</summary>
internal static class ProgressReporterIds
{
    /// <summary>Get-CallRecord's listing.</summary>
    public const int List = 0x4352_0001;
    /// <summary>Get-CallRecord -ExpandSession/-ExpandParticipant: records expanded (listed or by id).</summary>
    public const int Expand = 0x4352_0002;
    /// <summary>The fan-out cmdlets: inputs read.</summary>
    public const int FanOut = 0x4352_0003;
    /// <summary>The PSTN-type log cmdlets: rows read per 90-day window.</summary>
    public const int Log = 0x4352_0004;
}
