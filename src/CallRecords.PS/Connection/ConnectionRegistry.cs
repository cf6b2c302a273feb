using System.Threading;

namespace CallRecords.Connection;

/// <summary>
/// The process-wide default connection: set by Connect-CallRecordGraph, cleared by Disconnect-CallRecordGraph,
/// read by every data cmdlet that gets no -Connection. Process-wide on purpose, so ForEach-Object -Parallel and
/// other runspaces share it; swaps are atomic.
/// </summary>
internal static class ConnectionRegistry
{
    private static CallRecordConnection? _default;
    private static string? _whyNoDefault;

    public static CallRecordConnection? Default => Volatile.Read(ref _default);

    /// <summary>Why there is no default connection, when it was taken away by a failure (a failed connect, a token that
    /// can no longer be renewed): NotConnected says it. Null after a successful connect or a Disconnect.</summary>
    public static string? WhyNoDefault => Volatile.Read(ref _whyNoDefault);

    /// <summary>Makes <paramref name="connection"/> the default; returns the one it replaced.</summary>
    public static CallRecordConnection? SetDefault(CallRecordConnection? connection)
    {
        Volatile.Write(ref _whyNoDefault, null);
        return Interlocked.Exchange(ref _default, connection);
    }

    /// <summary>Fail safe: no default connection any more, and why (a failed Connect-CallRecordGraph must never leave
    /// another tenant's connection in use). Returns the one it removed.</summary>
    public static CallRecordConnection? ClearBecause(string why)
    {
        var previous = Interlocked.Exchange(ref _default, null);
        Volatile.Write(ref _whyNoDefault, why);
        return previous;
    }

    /// <summary>Clears the default only if it is still <paramref name="connection"/>.</summary>
    public static bool ClearIfDefault(CallRecordConnection connection, string? why = null)
    {
        var cleared = ReferenceEquals(Interlocked.CompareExchange(ref _default, null, connection), connection);
        if (cleared) Volatile.Write(ref _whyNoDefault, why);
        return cleared;
    }
}
