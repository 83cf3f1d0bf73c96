using PhysarumSM.Libp2p.Muxing;

namespace PhysarumSM.Libp2p.Host;

/// <summary>A negotiated application stream: the muxed stream, the protocol agreed on it, and the connection it rides.</summary>
public sealed class Libp2pStream(MuxedStream stream, string protocol, Libp2pConnection connection) : IAsyncDisposable
{
    /// <summary>Read and write the protocol's bytes here.</summary>
    public MuxedStream Stream { get; } = stream;

    /// <summary>The protocol id both sides agreed on.</summary>
    public string Protocol { get; } = protocol;

    /// <summary>The connection (and so the remote peer) this stream belongs to.</summary>
    public Libp2pConnection Connection { get; } = connection;

    /// <summary>Half-closes our side (the peer reads EOF).</summary>
    public ValueTask CloseWriteAsync(CancellationToken cancellationToken = default) => Stream.CloseWriteAsync(cancellationToken);

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>Handles one inbound stream of a registered protocol; the host disposes the stream when the task ends.</summary>
public delegate Task StreamHandler(Libp2pStream stream, CancellationToken cancellationToken);
