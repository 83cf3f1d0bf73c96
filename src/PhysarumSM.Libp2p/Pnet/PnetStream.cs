using System.Buffers;
using System.Runtime.CompilerServices;

namespace PhysarumSM.Libp2p.Pnet;

/// <summary>
/// The XSalsa20-wrapped connection produced by <see cref="PnetProtector"/>. Why a Stream: everything
/// above pnet (multistream, Noise) is written against Stream and must not know pnet exists.
/// </summary>
/// <remarks>
/// One concurrent reader and one concurrent writer are supported (each direction has its own cipher).
/// A cancelled or failed write leaves the keystream ahead of the peer, so the connection must be dropped.
/// </remarks>
internal sealed class PnetStream : Stream
{
    // Large enough that one inner write carries a whole Noise batch, small enough to stay pooled cheaply.
    private const int MaxWriteChunk = 256 * 1024;

    private readonly Stream _inner;
    private readonly PreSharedKey _key;
    private readonly XSalsa20 _writeCipher;
    private XSalsa20? _readCipher; // null until the peer's nonce has been read
    private bool _disposed;

    public PnetStream(Stream inner, PreSharedKey key, ReadOnlySpan<byte> localNonce)
    {
        _inner = inner;
        _key = key;
        _writeCipher = new XSalsa20(key.Key, localNonce);
    }

    public override bool CanRead => !_disposed;
    public override bool CanWrite => !_disposed;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Pooled builder: an await that completes asynchronously must not allocate a state machine per call.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readCipher is null && !await ReadPeerNonceAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _readCipher!.Transform(buffer.Span[..n]);
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readCipher is null && !ReadPeerNonce())
        {
            return 0;
        }

        var n = _inner.Read(buffer);
        _readCipher!.Transform(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        // Encrypt into a pooled copy: the caller's buffer is never modified.
        var chunk = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, MaxWriteChunk));
        try
        {
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, chunk.Length);
                _writeCipher.Transform(buffer.Span[..n], chunk);
                await _inner.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                buffer = buffer[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, MaxWriteChunk));
        try
        {
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, chunk.Length);
                _writeCipher.Transform(buffer[..n], chunk);
                _inner.Write(chunk, 0, n);
                buffer = buffer[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override string ToString() => $"PnetStream({_key.Fingerprint})";

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _inner.Dispose();
            _writeCipher.Dispose();
            _readCipher?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _inner.DisposeAsync().ConfigureAwait(false);
            _writeCipher.Dispose();
            _readCipher?.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Reads the peer's 24-byte nonce; false if the peer closed before sending any byte.</summary>
    private async ValueTask<bool> ReadPeerNonceAsync(CancellationToken cancellationToken)
    {
        var nonce = new byte[XSalsa20.NonceSize];
        var read = 0;
        while (read < nonce.Length)
        {
            var n = await _inner.ReadAsync(nonce.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw TruncatedNonce(read);
            }

            read += n;
        }

        _readCipher = new XSalsa20(_key.Key, nonce);
        return true;
    }

    private bool ReadPeerNonce()
    {
        Span<byte> nonce = stackalloc byte[XSalsa20.NonceSize];
        var read = 0;
        while (read < nonce.Length)
        {
            var n = _inner.Read(nonce[read..]);
            if (n == 0)
            {
                return read == 0 ? false : throw TruncatedNonce(read);
            }

            read += n;
        }

        _readCipher = new XSalsa20(_key.Key, nonce);
        return true;
    }

    private static Libp2pProtocolException TruncatedNonce(int read) =>
        new($"pnet: the peer closed the connection after {read} of {XSalsa20.NonceSize} nonce bytes.");
}
