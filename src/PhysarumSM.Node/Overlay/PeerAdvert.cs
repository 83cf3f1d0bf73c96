using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>A peer another node is connected to, with addresses to dial it at (without /p2p/). Why a record: it is plain data on the wire.</summary>
public sealed record PeerAdvert(PeerId Peer, IReadOnlyList<Multiaddr> Addresses);

/// <summary>A decoded peer exchange answer and what was dropped from it. Why the counts: a lenient decoder still reports misbehaviour.</summary>
public sealed record PeerExchangeAnswer(IReadOnlyList<PeerAdvert> Peers, int SkippedPeers, int SkippedAddresses);
