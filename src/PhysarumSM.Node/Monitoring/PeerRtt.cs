using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Monitoring;

/// <summary>The latest RTT figures of one peer as seen from this node (milliseconds).</summary>
public sealed record PeerRtt(PeerId Peer, double LastMs, double EwmaMs, DateTimeOffset SeenAt, long Samples);
