using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Cmdlets;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// One cmdlet run's reads of whole call records with their sessions and segments (GET …/callRecords/{id}?$expand=
/// sessions($expand=segments), every nested nextLink followed): each record is read once per run however many of its
/// sessions or segments arrive as input, also while several of them are in flight at once. Bounded: the most recently
/// used <see cref="Capacity"/> records are kept (input usually arrives grouped by record), so memory does not grow with
/// the input.
/// </summary>
internal sealed class RecordCache
{
    public const int Capacity = 256;
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, Task<CallRecord> Read)>> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<(string Id, Task<CallRecord> Read)> _order = new();

    /// <summary>Reads started (for tests: one per distinct record while it stays cached).</summary>
    public int Reads { get; private set; }

    public Task<CallRecord> SessionsOfAsync(CmdletOperation op, string callRecordId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(callRecordId, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Read;
            }
            var read = op.Records.GetAsync(callRecordId, RecordExpansion.Sessions, null, cancellationToken, organizer: false);
            Reads++;
            var added = _order.AddFirst((callRecordId, read));
            _entries[callRecordId] = added;
            if (_order.Count > Capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _entries.Remove(last.Value.Id);
            }
            return read;
        }
    }
}
