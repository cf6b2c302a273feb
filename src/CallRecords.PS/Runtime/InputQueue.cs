using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// Pipeline input handed from ProcessRecord (pipeline thread) to an async producer (thread pool) as an
/// IAsyncEnumerable, so a fan-out can keep requests in flight across ProcessRecord calls. The cmdlet bounds it by
/// draining output while <see cref="Count"/> is high.
/// </summary>
internal sealed class InputQueue<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<T> _items = new();
    private readonly SemaphoreSlim _available = new(0);
    private bool _completed;

    /// <summary>Items added and not yet read.</summary>
    public int Count { get { lock (_gate) return _items.Count; } }

    public void Add(T item)
    {
        lock (_gate)
        {
            if (_completed) throw new InvalidOperationException("The input has already ended.");
            _items.Enqueue(item);
        }
        _available.Release();
    }

    public void Complete()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
        }
        _available.Release();
    }

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            T item = default!;
            bool got;
            lock (_gate)
            {
                // Empty means only the completion signal was left.
                got = _items.Count > 0;
                if (got) item = _items.Dequeue();
            }
            if (!got) yield break;
            yield return item;
        }
    }

    public void Dispose() => _available.Dispose();
}
