using CallRecords.Connection;
using CallRecords.Models;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>Marks what a run writes with the connection it was read through (<c>Origin</c>), nested objects included,
/// so <c>Get-CallRecord -Connection $c | Get-CallRecordSession</c> reads tenant c without a second -Connection.</summary>
internal static class Origins
{
    public static void Stamp(object? item, CallRecordConnection connection)
    {
        switch (item)
        {
            case CallRecord r:
                r.Origin ??= connection;
                Completers.CallRecordIdHistory.Shared.Add(r.Id, Completers.CallRecordIdHistory.Describe(r));
                if (r.Sessions is { } sessions) foreach (var s in sessions) Stamp(s, connection);
                if (r.Participants is { } participants) foreach (var p in participants) p.Origin ??= connection;
                break;
            case CallRecordSession s:
                s.Origin ??= connection;
                Completers.CallRecordIdHistory.Sessions.Add(s.Id, "session of call record " + s.CallRecordId);
                if (s.Segments is { } segments) foreach (var g in segments) g.Origin ??= connection;
                break;
            case CallRecordSegment g:
                g.Origin ??= connection;
                break;
            case CallRecordParticipant p:
                p.Origin ??= connection;
                break;
            case CallRecordStream row:
                row.Origin ??= connection;
                break;
        }
    }
}
