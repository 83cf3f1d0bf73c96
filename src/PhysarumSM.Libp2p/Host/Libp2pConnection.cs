using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Multistream;
using PhysarumSM.Libp2p.Muxing;

namespace PhysarumSM.Libp2p.Host;

/// <summary>Who dialled a connection. Why it matters: it decides which of two simultaneous connections survives.</summary>
public enum ConnectionDirection
{
    Inbound,
    Outbound,
}

/// <summary>An upgraded (encrypted, authenticated, muxed) connection to one remote peer.</summary>
public sealed class Libp2pConnection
{
    private readonly UpgradedConnection _upgraded;
    private readonly TimeSpan _negotiationTimeout;
    private int _inboundStreams;

    internal Libp2pConnection(UpgradedConnection upgraded, ConnectionDirection direction, TimeSpan negotiationTimeout)
    {
        _upgraded = upgraded;
        _negotiationTimeout = negotiationTimeout;
        Direction = direction;
        OpenedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The authenticated remote peer.</summary>
    public PeerId RemotePeer => _upgraded.Secured.RemotePeer;

    /// <summary>The remote identity key proven in the handshake.</summary>
    public PublicKey RemoteKey => _upgraded.Secured.RemoteKey;

    public Multiaddr LocalAddress => _upgraded.Raw.LocalAddress;

    public Multiaddr RemoteAddress => _upgraded.Raw.RemoteAddress;

    public ConnectionDirection Direction { get; }

    public DateTimeOffset OpenedAt { get; }

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => _upgraded.Muxer.Completion;

    public bool IsClosed => Completion.IsCompleted;

    /// <summary>Set when a simultaneous connection to the same peer won; no new streams are opened on this one.</summary>
    public bool IsSuperseded { get; internal set; }

    internal IMuxedConnection Muxer => _upgraded.Muxer;

    /// <summary>The identify exchange on this connection (see Libp2pHost.IdentifyAsync); guarded by locking the connection.</summary>
    internal Task<IdentifyInfo>? Identify { get; set; }

    /// <summary>Opens a stream and negotiates the first of <paramref name="protocols"/> the peer supports.</summary>
    public async Task<Libp2pStream> NewStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        var stream = await Muxer.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_negotiationTimeout);
        try
        {
            var protocol = await MultistreamSelect.SelectAsync(stream, protocols, timeout.Token).ConfigureAwait(false);
            return new Libp2pStream(stream, protocol, this);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            stream.Reset();
            throw new Libp2pProtocolException($"{RemotePeer} did not answer protocol negotiation for {string.Join(", ", protocols)} within {_negotiationTimeout.TotalSeconds:0.#} s", ex);
        }
        catch
        {
            stream.Reset();
            throw;
        }
    }

    /// <summary>Closes the connection (GoAway, then the socket).</summary>
    public ValueTask CloseAsync(CancellationToken cancellationToken = default) => Muxer.CloseAsync(cancellationToken);

    internal bool TryBeginInboundStream(int limit)
    {
        if (Interlocked.Increment(ref _inboundStreams) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inboundStreams);
        return false;
    }

    internal void EndInboundStream() => Interlocked.Decrement(ref _inboundStreams);

    public override string ToString() => $"{Direction} {RemotePeer} {RemoteAddress}";
}
