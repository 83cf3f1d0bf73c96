using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>
/// The raw bytes of an open tunnel, as an ordinary <see cref="Stream"/> (what <c>SocketsHttpHandler.ConnectCallback</c>
/// returns). Closing follows TCP: after reading to the end (the instance closed its side) disposing closes gracefully;
/// disposing earlier aborts the tunnel, like closing a socket with unread data, so an abandoned response stops
/// flowing instead of being relayed into the void. <see cref="CloseWriteAsync"/> is the half-close (TCP shutdown).
/// </summary>
public sealed class TunnelStream : Stream
{
    private readonly Libp2pStream _inner;
    private volatile bool _readEnded;
    private int _disposed;

    internal TunnelStream(Libp2pStream inner, PeerId node, string instanceId)
    {
        _inner = inner;
        Node = node;
        InstanceId = instanceId;
    }

    /// <summary>The node that relays this tunnel.</summary>
    public PeerId Node { get; }

    /// <summary>The instance at the far end.</summary>
    public string InstanceId { get; }

    /// <inheritdoc />
    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    /// <inheritdoc />
    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Half-closes: the instance reads EOF; the answer can still be read here.</summary>
    public ValueTask CloseWriteAsync(CancellationToken cancellationToken = default) => _inner.CloseWriteAsync(cancellationToken);

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = _inner.Stream.ReadAsync(buffer, cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult(Observe(read.Result, buffer.Length));
        }

        return ObserveAsync(read, buffer.Length);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.Stream.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.Stream.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override void Flush()
    {
        // Writes are queued for the connection as soon as WriteAsync returns; nothing is held here.
    }

    /// <summary>Blocks on <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>; only for synchronous callers such as <c>HttpClient.Send</c>.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Blocks on <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>; only for synchronous callers.</summary>
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (!_readEnded)
            {
                _inner.Stream.Reset();
            }

            _inner.Stream.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Observe(int read, int requested)
    {
        if (read == 0 && requested > 0)
        {
            _readEnded = true;
        }

        return read;
    }

    private async ValueTask<int> ObserveAsync(ValueTask<int> read, int requested) =>
        Observe(await read.ConfigureAwait(false), requested);
}
