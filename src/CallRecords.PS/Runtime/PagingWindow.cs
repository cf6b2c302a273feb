using System.Collections.Generic;
using System.Threading.Tasks;
using System.Runtime.CompilerServices;
using System.Threading;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// -Skip/-First across one cmdlet invocation (all ProcessRecord calls). <see cref="Apply{T}"/> stops asking its
/// source for more as soon as -First is satisfied, so no page beyond the last needed one is ever requested.
/// </summary>
internal sealed class PagingWindow
{
    private ulong _skip;
    private ulong _take;

    public PagingWindow(ulong skip, ulong first)
    {
        _skip = skip;
        _take = first;
    }

    public bool IsExhausted => _take == 0;

    public async IAsyncEnumerable<IReadOnlyList<T>> Apply<T>(IAsyncEnumerable<IReadOnlyList<T>> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (IsExhausted) yield break;
        await foreach (var batch in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var start = 0;
            if (_skip > 0)
            {
                var skipped = (int)System.Math.Min(_skip, (ulong)batch.Count);
                _skip -= (ulong)skipped;
                start = skipped;
            }
            var count = (int)System.Math.Min((ulong)(batch.Count - start), _take);
            _take -= (ulong)count;
            if (start == 0 && count == batch.Count) yield return batch;
            else
            {
                var slice = new List<T>(count);
                for (var i = start; i < start + count; i++) slice.Add(batch[i]);
                yield return slice;
            }
            if (IsExhausted) yield break;
        }
    }
}
