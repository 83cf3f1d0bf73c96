using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Host;

/// <summary>A peer's connection state changed.</summary>
public sealed class PeerConnectionEventArgs(PeerId peer, Libp2pConnection connection) : EventArgs
{
    public PeerId Peer { get; } = peer;

    public Libp2pConnection Connection { get; } = connection;
}
