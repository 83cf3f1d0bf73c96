using System.Buffers;
using System.Runtime.CompilerServices;
using System.Buffers.Binary;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// A Noise transport-phase connection: u16 big-endian length ‖ ChaCha20-Poly1305 ciphertext frames, shown to
/// callers as a plain byte stream. Why a Stream: the muxer above reads and writes bytes and must not care
/// how they are framed (a yamux frame may span several Noise messages or share one).
/// </summary>
/// <remarks>
/// Supports one concurrent reader and one concurrent writer. Any frame or authentication error makes the
/// stream unusable (<see cref="Libp2pProtocolException"/> from then on). Disposing it disposes the inner stream.
/// </remarks>
public sealed class NoiseStream : Stream
{
    /// <summary>Largest Noise message, the limit of the u16 length prefix.</summary>
    public const int MaxMessageSize = 65535;

    /// <summary>Largest plaintext per transport message (65535 − 16-byte tag).</summary>
    public const int MaxPlaintextSize = MaxMessageSize - CipherState.TagSize;

    private const int LengthPrefixSize = 2;

    // Several full frames per socket read: fewer syscalls and wakeups, and the partial frame left at the end is
    // moved to the front less often. A power of two so the pool returns exactly this size.
    private const int ReceiveBufferSize = 256 * 1024;

    private readonly Stream _inner;
    private readonly CipherState _send;
    private readonly CipherState _receive;

    // Receive buffer layout: [_plainStart, _plainEnd) decrypted bytes not yet returned, then
    // [_rawStart, _rawEnd) received bytes not yet decrypted. Plaintext always lies before raw bytes.
    private byte[]? _receiveBuffer;
    private int _plainStart;
    private int _plainEnd;
    private int _rawStart;
    private int _rawEnd;

    private Exception? _readFault;
    private Exception? _writeFault;
    private int _readBusy;
    private int _writeBusy;
    private int _readReleased;
    private int _writeReleased;
    private volatile bool _disposed;

    internal NoiseStream(Stream inner, ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey)
    {
        _inner = inner;
        _send = new CipherState(sendKey);
        _receive = new CipherState(receiveKey);
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
        EnterRead();
        try
        {
            while (true)
            {
                var produced = TryReadBuffered(buffer.Span);
                if (produced > 0 || buffer.IsEmpty)
                {
                    return produced;
                }

                var space = PrepareReceiveSpace();
                var n = await _inner.ReadAsync(_receiveBuffer.AsMemory(space.Start, space.Length), cancellationToken).ConfigureAwait(false);
                if (!OnReceived(n))
                {
                    return 0;
                }
            }
        }
        finally
        {
            ExitRead();
        }
    }

    public override int Read(Span<byte> buffer)
    {
        EnterRead();
        try
        {
            while (true)
            {
                var produced = TryReadBuffered(buffer);
                if (produced > 0 || buffer.IsEmpty)
                {
                    return produced;
                }

                var space = PrepareReceiveSpace();
                var n = _inner.Read(_receiveBuffer.AsSpan(space.Start, space.Length));
                if (!OnReceived(n))
                {
                    return 0;
                }
            }
        }
        finally
        {
            ExitRead();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return;
        }

        EnterWrite();
        byte[]? frames = null;
        try
        {
            var length = EncryptFrames(buffer.Span, out frames);
            await _inner.WriteAsync(frames.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (frames is not null)
        {
            // The send nonce has moved on; anything written later would not decrypt at the peer.
            _writeFault = e;
            throw;
        }
        finally
        {
            if (frames is not null)
            {
                ArrayPool<byte>.Shared.Return(frames);
            }

            ExitWrite();
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return;
        }

        EnterWrite();
        byte[]? frames = null;
        try
        {
            var length = EncryptFrames(buffer, out frames);
            _inner.Write(frames, 0, length);
        }
        catch (Exception e) when (frames is not null)
        {
            _writeFault = e;
            throw;
        }
        finally
        {
            if (frames is not null)
            {
                ArrayPool<byte>.Shared.Return(frames);
            }

            ExitWrite();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _inner.Dispose();
            TryReleaseRead();
            TryReleaseWrite();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _inner.DisposeAsync().ConfigureAwait(false);
            TryReleaseRead();
            TryReleaseWrite();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> as consecutive frames into one pooled buffer, so the whole write
    /// reaches the inner stream in a single call. Returns the framed length.
    /// </summary>
    private int EncryptFrames(ReadOnlySpan<byte> plaintext, out byte[] frames)
    {
        var count = (plaintext.Length + MaxPlaintextSize - 1) / MaxPlaintextSize;
        var total = plaintext.Length + (count * (LengthPrefixSize + CipherState.TagSize));
        frames = ArrayPool<byte>.Shared.Rent(total);
        var offset = 0;
        while (!plaintext.IsEmpty)
        {
            var chunk = Math.Min(plaintext.Length, MaxPlaintextSize);
            BinaryPrimitives.WriteUInt16BigEndian(frames.AsSpan(offset), (ushort)(chunk + CipherState.TagSize));
            offset += LengthPrefixSize;
            offset += _send.EncryptWithAd(default, plaintext[..chunk], frames.AsSpan(offset, chunk + CipherState.TagSize));
            plaintext = plaintext[chunk..];
        }

        return total;
    }

    /// <summary>
    /// Serves buffered plaintext, decrypting complete frames already received. Returns the bytes written to
    /// <paramref name="destination"/>, or 0 when more input is needed.
    /// </summary>
    private int TryReadBuffered(Span<byte> destination)
    {
        var buffer = _receiveBuffer!;
        while (true)
        {
            if (_plainEnd > _plainStart)
            {
                var n = Math.Min(destination.Length, _plainEnd - _plainStart);
                buffer.AsSpan(_plainStart, n).CopyTo(destination);
                _plainStart += n;
                return n;
            }

            if (destination.IsEmpty || _rawEnd - _rawStart < LengthPrefixSize)
            {
                return 0;
            }

            var frameLength = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(_rawStart));
            if (frameLength < CipherState.TagSize)
            {
                throw ReadFault(new Libp2pProtocolException($"Noise frame of {frameLength} bytes is shorter than the 16-byte tag."));
            }

            if (_rawEnd - _rawStart < LengthPrefixSize + frameLength)
            {
                return 0;
            }

            var ciphertextStart = _rawStart + LengthPrefixSize;
            var ciphertext = buffer.AsSpan(ciphertextStart, frameLength);
            var plaintextLength = frameLength - CipherState.TagSize;
            _rawStart += LengthPrefixSize + frameLength;

            // Decrypt straight into the caller's buffer when the whole message fits; otherwise in place.
            var direct = plaintextLength > 0 && destination.Length >= plaintextLength;
            var target = direct ? destination : buffer.AsSpan(ciphertextStart, frameLength);
            if (!_receive.TryDecryptWithAd(default, ciphertext, target, out _))
            {
                throw ReadFault(new Libp2pProtocolException("Noise transport message failed authentication (corrupted, replayed or wrong key)."));
            }

            if (direct)
            {
                return plaintextLength;
            }

            _plainStart = ciphertextStart;
            _plainEnd = ciphertextStart + plaintextLength; // empty messages leave nothing and the loop goes on
        }
    }

    /// <summary>Makes room after the buffered raw bytes (plaintext is empty here) and returns it.</summary>
    private (int Start, int Length) PrepareReceiveSpace()
    {
        var buffer = _receiveBuffer!;
        _plainStart = _plainEnd = 0;
        if (_rawStart == _rawEnd)
        {
            _rawStart = _rawEnd = 0;
        }
        else if (buffer.Length - _rawStart < LengthPrefixSize + MaxMessageSize)
        {
            // Not enough room left for the largest frame: move the partial frame to the front.
            var pending = _rawEnd - _rawStart;
            buffer.AsSpan(_rawStart, pending).CopyTo(buffer);
            _rawStart = 0;
            _rawEnd = pending;
        }

        return (_rawEnd, buffer.Length - _rawEnd);
    }

    /// <summary>Accounts for received bytes; false at a clean end of stream (between frames).</summary>
    private bool OnReceived(int count)
    {
        if (count > 0)
        {
            _rawEnd += count;
            return true;
        }

        if (_rawEnd == _rawStart)
        {
            return false;
        }

        throw ReadFault(new Libp2pProtocolException($"Noise connection closed in the middle of a frame ({_rawEnd - _rawStart} bytes of it received)."));
    }

    private Exception ReadFault(Libp2pProtocolException fault)
    {
        _readFault = fault;
        return fault;
    }

    private void EnterRead()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _readBusy, 1, 0) != 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new InvalidOperationException("NoiseStream allows only one read at a time.");
        }

        if (_readFault is not null)
        {
            Interlocked.Exchange(ref _readBusy, 0);
            throw new Libp2pProtocolException("The Noise stream is unusable after an earlier read failure.", _readFault);
        }

        _receiveBuffer ??= ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
    }

    private void ExitRead()
    {
        Interlocked.Exchange(ref _readBusy, 0);
        if (_disposed)
        {
            TryReleaseRead();
        }
    }

    private void EnterWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _writeBusy, 1, 0) != 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new InvalidOperationException("NoiseStream allows only one write at a time.");
        }

        if (_writeFault is not null)
        {
            Interlocked.Exchange(ref _writeBusy, 0);
            throw new Libp2pProtocolException("The Noise stream is unusable after an earlier write failure.", _writeFault);
        }
    }

    private void ExitWrite()
    {
        Interlocked.Exchange(ref _writeBusy, 0);
        if (_disposed)
        {
            TryReleaseWrite();
        }
    }

    /// <summary>Returns the read side's resources once no read is running (whichever of Dispose or the reader comes last).</summary>
    private void TryReleaseRead()
    {
        if (Interlocked.CompareExchange(ref _readBusy, 1, 0) == 0 && Interlocked.Exchange(ref _readReleased, 1) == 0)
        {
            _receive.Dispose();
            if (_receiveBuffer is { } buffer)
            {
                _receiveBuffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void TryReleaseWrite()
    {
        if (Interlocked.CompareExchange(ref _writeBusy, 1, 0) == 0 && Interlocked.Exchange(ref _writeReleased, 1) == 0)
        {
            _send.Dispose();
        }
    }
}
