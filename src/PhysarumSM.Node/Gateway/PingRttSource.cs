using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Node.Monitoring;

namespace PhysarumSM.Node.Gateway;

/// <summary>The route cache's RTTs from this node's own ping monitor (EWMA, as the resolution rule ranks by); 0 to itself.</summary>
public sealed class PingRttSource(PingMonitor monitor, string localNodeId) : IRttSource
{
    /// <inheritdoc />
    public double? RttMs(string nodeId) =>
        string.Equals(nodeId, localNodeId, StringComparison.Ordinal) ? 0
        : PeerId.TryParse(nodeId, out var peer) ? monitor.Get(peer)?.EwmaMs
        : null;
}
