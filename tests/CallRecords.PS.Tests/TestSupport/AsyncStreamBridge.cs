extern alias bcl;
extern alias root;
using BclStreams = bcl::System.Collections.Generic;
using RootStreams = root::System.Collections.Generic;

namespace CallRecords.PS.Tests.TestSupport;

/// <summary>
/// The module's root assembly has its own IAsyncEnumerable types (src/CallRecords.PS/Polyfills, so it references no
/// Microsoft.Bcl.AsyncInterfaces). Tests write their producers as ordinary .NET async iterators and enumerate results
/// with await foreach; these adapters carry a stream across, disposal and cancellation included.
/// </summary>
internal static class AsyncStreamBridge
{
    public static RootStreams.IAsyncEnumerable<T> ToModule<T>(this BclStreams.IAsyncEnumerable<T> source) => new ToModuleStream<T>(source);

    public static BclStreams.IAsyncEnumerable<T> ToBcl<T>(this RootStreams.IAsyncEnumerable<T> source) => new ToBclStream<T>(source);

    private sealed class ToModuleStream<T>(BclStreams.IAsyncEnumerable<T> source) : RootStreams.IAsyncEnumerable<T>
    {
        public RootStreams.IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(source.GetAsyncEnumerator(cancellationToken));

        private sealed class Enumerator(BclStreams.IAsyncEnumerator<T> inner) : RootStreams.IAsyncEnumerator<T>
        {
            public T Current => inner.Current;
            public ValueTask<bool> MoveNextAsync() => inner.MoveNextAsync();
            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    private sealed class ToBclStream<T>(RootStreams.IAsyncEnumerable<T> source) : BclStreams.IAsyncEnumerable<T>
    {
        public BclStreams.IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(source.GetAsyncEnumerator(cancellationToken));

        private sealed class Enumerator(RootStreams.IAsyncEnumerator<T> inner) : BclStreams.IAsyncEnumerator<T>
        {
            public T Current => inner.Current;
            public ValueTask<bool> MoveNextAsync() => inner.MoveNextAsync();
            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
