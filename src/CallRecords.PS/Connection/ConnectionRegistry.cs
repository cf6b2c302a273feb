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

    public static CallRecordConnection? Default => Volatile.Read(ref _default);

    /// <summary>Makes <paramref name="connection"/> the default; returns the one it replaced.</summary>
    public static CallRecordConnection? SetDefault(CallRecordConnection? connection) => Interlocked.Exchange(ref _default, connection);

    /// <summary>Clears the default only if it is still <paramref name="connection"/>.</summary>
    public static bool ClearIfDefault(CallRecordConnection connection) =>
        ReferenceEquals(Interlocked.CompareExchange(ref _default, null, connection), connection);
}
