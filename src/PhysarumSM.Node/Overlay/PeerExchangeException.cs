using PhysarumSM.Libp2p;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// A peer's peer exchange message broke the protocol (bad framing, oversized, malformed protobuf). Why
/// its own type: such answers are logged and ignored, unlike a peer that merely does not speak it.
/// </summary>
public sealed class PeerExchangeException : Libp2pProtocolException
{
    public PeerExchangeException(string message) : base(message) { }

    public PeerExchangeException(string message, Exception inner) : base(message, inner) { }
}
