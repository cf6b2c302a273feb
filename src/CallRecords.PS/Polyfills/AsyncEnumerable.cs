// The async-stream types of .NET Core 3.0+, written for this assembly alone (all internal). On netstandard2.0 they
// would otherwise come from Microsoft.Bcl.AsyncInterfaces, a package whose assembly PowerShell 7 carries in $PSHOME
// in an old version and other modules load in other versions: depending on it would put the root assembly back in
// the conflicts issue #11 removes. The C# compiler finds these by name for `async IAsyncEnumerable<T>` iterators and
// `await foreach`; nothing outside this assembly sees them.
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace System
{
    internal interface IAsyncDisposable
    {
        ValueTask DisposeAsync();
    }
}

namespace System.Collections.Generic
{
    internal interface IAsyncEnumerable<out T>
    {
        IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default);
    }

    internal interface IAsyncEnumerator<out T> : IAsyncDisposable
    {
        T Current { get; }

        ValueTask<bool> MoveNextAsync();
    }
}

namespace System.Runtime.CompilerServices
{
    using System.Collections.Generic;

    /// <summary>Marks the CancellationToken parameter of an async iterator that receives GetAsyncEnumerator's token.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    internal sealed class EnumeratorCancellationAttribute : Attribute
    {
    }

    /// <summary>Emitted by the compiler on async iterator methods.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class AsyncIteratorStateMachineAttribute : StateMachineAttribute
    {
        public AsyncIteratorStateMachineAttribute(Type stateMachineType) : base(stateMachineType)
        {
        }
    }

    /// <summary>
    /// The builder the compiler uses for async iterators: each MoveNextAsync resumes the state machine through an
    /// ordinary task builder (which saves and restores the execution context and handles awaits); the builder's own
    /// task is never observed.
    /// </summary>
    internal struct AsyncIteratorMethodBuilder
    {
        private AsyncTaskMethodBuilder _builder;

        public static AsyncIteratorMethodBuilder Create() => new() { _builder = AsyncTaskMethodBuilder.Create() };

        public void MoveNext<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
            _builder.Start(ref stateMachine);

        public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
            where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
            _builder.AwaitOnCompleted(ref awaiter, ref stateMachine);

        public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
            where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
            _builder.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);

        /// <summary>The iterator finished (ran to its end, threw, or was disposed).</summary>
        public void Complete() => _builder.SetResult();
    }

    /// <summary><c>await foreach (… in source.WithCancellation(t).ConfigureAwait(false))</c>.</summary>
    [StructLayout(LayoutKind.Auto)]
    internal readonly struct ConfiguredCancelableAsyncEnumerable<T>
    {
        private readonly IAsyncEnumerable<T> _source;
        private readonly CancellationToken _cancellationToken;
        private readonly bool _continueOnCapturedContext;

        internal ConfiguredCancelableAsyncEnumerable(IAsyncEnumerable<T> source, bool continueOnCapturedContext, CancellationToken cancellationToken)
        {
            _source = source;
            _continueOnCapturedContext = continueOnCapturedContext;
            _cancellationToken = cancellationToken;
        }

        public ConfiguredCancelableAsyncEnumerable<T> ConfigureAwait(bool continueOnCapturedContext) =>
            new(_source, continueOnCapturedContext, _cancellationToken);

        public ConfiguredCancelableAsyncEnumerable<T> WithCancellation(CancellationToken cancellationToken) =>
            new(_source, _continueOnCapturedContext, cancellationToken);

        public Enumerator GetAsyncEnumerator() => new(_source.GetAsyncEnumerator(_cancellationToken), _continueOnCapturedContext);

        [StructLayout(LayoutKind.Auto)]
        internal readonly struct Enumerator
        {
            private readonly IAsyncEnumerator<T> _enumerator;
            private readonly bool _continueOnCapturedContext;

            internal Enumerator(IAsyncEnumerator<T> enumerator, bool continueOnCapturedContext)
            {
                _enumerator = enumerator;
                _continueOnCapturedContext = continueOnCapturedContext;
            }

            public T Current => _enumerator.Current;

            public ConfiguredValueTaskAwaitable<bool> MoveNextAsync() => _enumerator.MoveNextAsync().ConfigureAwait(_continueOnCapturedContext);

            public ConfiguredValueTaskAwaitable DisposeAsync() => _enumerator.DisposeAsync().ConfigureAwait(_continueOnCapturedContext);
        }
    }
}

namespace System.Threading.Tasks
{
    using System.Collections.Generic;
    using System.Runtime.CompilerServices;

    internal static class TaskAsyncEnumerableExtensions
    {
        public static ConfiguredCancelableAsyncEnumerable<T> ConfigureAwait<T>(this IAsyncEnumerable<T> source, bool continueOnCapturedContext) =>
            new(source, continueOnCapturedContext, default);

        public static ConfiguredCancelableAsyncEnumerable<T> WithCancellation<T>(this IAsyncEnumerable<T> source, CancellationToken cancellationToken) =>
            new(source, continueOnCapturedContext: true, cancellationToken);
    }
}
