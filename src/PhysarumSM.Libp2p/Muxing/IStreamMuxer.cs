namespace PhysarumSM.Libp2p.Muxing;

/// <summary>A stream multiplexer negotiated by multistream id (e.g. "/yamux/1.0.0").</summary>
public interface IStreamMuxer
{
    string ProtocolId { get; }

    /// <summary>Starts a session over a secured stream; the session owns the stream from now on.</summary>
    IMuxedConnection Start(Stream secured, bool isInitiator);
}

/// <summary>A multiplexed session: many streams over one secured connection.</summary>
public interface IMuxedConnection : IAsyncDisposable
{
    /// <summary>Opens an outbound stream (no round trip: data may be written at once).</summary>
    ValueTask<MuxedStream> OpenStreamAsync(CancellationToken cancellationToken);

    /// <summary>Waits for the next inbound stream; throws <see cref="IOException"/> once the session has ended.</summary>
    ValueTask<MuxedStream> AcceptStreamAsync(CancellationToken cancellationToken);

    /// <summary>Completes when the session ends, for any reason; faulted with the reason when it was an error.</summary>
    Task Completion { get; }

    /// <summary>Sends GoAway, stops accepting, and closes the underlying stream once writes are flushed.</summary>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One stream of a muxed session. Why a Stream subclass: protocol code reads and writes it with the
/// usual Memory-based Stream APIs; half-close and reset are the two things Stream lacks.
/// </summary>
public abstract class MuxedStream : Stream
{
    /// <summary>The muxer's stream id.</summary>
    public abstract uint Id { get; }

    /// <summary>Half-closes: no more writes; the peer reads EOF. Reading goes on until the peer closes.</summary>
    public abstract ValueTask CloseWriteAsync(CancellationToken cancellationToken = default);

    /// <summary>Aborts both directions at once; pending and later reads/writes fail.</summary>
    public abstract void Reset();

    public sealed override bool CanSeek => false;
    public sealed override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
}
