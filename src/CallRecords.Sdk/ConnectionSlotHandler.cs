using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// Desktop profile: at most as many requests below this handler as the handler under it has connections per host,
/// each holding its slot until its response body has been read or disposed. It sits above the per-attempt timer
/// (<see cref="AttemptTimeoutHandler"/>), so an attempt's time starts when a connection is free for it, not while it
/// queues for one: with .NET Framework's cap of two connections, a 24-way fan-out and a short -Timeout otherwise
/// time out (and retry) requests that were never sent. It sits below the retry handler, so a request waiting out a
/// Retry-After holds no slot.
/// </summary>
internal sealed class ConnectionSlotHandler : DelegatingHandler
{
    private readonly SemaphoreSlim _slots;

    public ConnectionSlotHandler(int slots)
    {
        Slots = slots;
        _slots = new SemaphoreSlim(slots, slots);
    }

    public int Slots { get; }

    /// <summary>Slots free right now (for tests).</summary>
    public int Free => _slots.CurrentCount;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var slot = new Slot(_slots);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            slot.Release();
            throw;
        }
        if (response.Content is null) slot.Release();
        else response.Content = new SlotContent(response.Content, slot);
        return response;
    }

    private sealed class Slot
    {
        private readonly SemaphoreSlim _slots;
        private int _released;

        public Slot(SemaphoreSlim slots) => _slots = slots;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _slots.Release();
        }
    }

    /// <summary>The response body, unchanged, giving the slot back when it has been read to the end or disposed.</summary>
    private sealed class SlotContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Slot _slot;

        public SlotContent(HttpContent inner, Slot slot)
        {
            _inner = inner;
            _slot = slot;
            foreach (var header in inner.Headers) Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                await _inner.CopyToAsync(stream).ConfigureAwait(false);
            }
            finally
            {
                _slot.Release();
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() =>
            new SlotStream(await _inner.ReadAsStreamAsync().ConfigureAwait(false), _slot);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _slot.Release();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class SlotStream : Stream
    {
        private readonly Stream _inner;
        private readonly Slot _slot;

        public SlotStream(Stream inner, Slot slot)
        {
            _inner = inner;
            _slot = slot;
        }

        public override bool CanRead => _inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Ended(_inner.Read(buffer, offset, count), count);

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Ended(await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false), count);

        private int Ended(int read, int asked)
        {
            if (read == 0 && asked > 0) _slot.Release();
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _slot.Release();
            }
            base.Dispose(disposing);
        }
    }
}
