using System.Collections.Concurrent;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Cli.Proxy;

/// <summary>
/// The proxy's own ping EWMA to each connected node: it picks the nearest node to resolve on, and is the route cache's
/// RTT source (the proxy sits where its requests come from, so RTT from here is what the soft/hard requirements mean).
/// </summary>
internal sealed class NodeRtts : IRttSource
{
    /// <summary>Weight of a new sample, as the node's ping monitor and the original ping-monitor.</summary>
    public const double EwmaFactor = 0.1;

    private readonly ConcurrentDictionary<PeerId, double> _ewmaMs = new();

    /// <summary>Folds one ping into <paramref name="node"/>'s EWMA (the first sample starts it).</summary>
    public void Record(PeerId node, double rttMs) =>
        _ewmaMs.AddOrUpdate(node, static (_, sample) => sample, static (_, previous, sample) => (EwmaFactor * sample) + ((1 - EwmaFactor) * previous), rttMs);

    /// <summary>The node went away: it is unmeasured until pinged again.</summary>
    public void Forget(PeerId node) => _ewmaMs.TryRemove(node, out _);

    /// <summary>The EWMA to <paramref name="node"/> in ms, or null when it has not answered a ping.</summary>
    public double? RttMs(PeerId node) => _ewmaMs.TryGetValue(node, out var ewma) ? ewma : null;

    /// <inheritdoc />
    public double? RttMs(string nodeId) => PeerId.TryParse(nodeId, out var node) ? RttMs(node) : null;

    /// <summary><paramref name="nodes"/> nearest first; unmeasured ones last, in the order given.</summary>
    public IReadOnlyList<PeerId> Nearest(IReadOnlyList<PeerId> nodes) =>
        nodes.Select((node, index) => (node, index, rtt: RttMs(node) ?? double.PositiveInfinity))
            .OrderBy(n => n.rtt)
            .ThenBy(n => n.index)
            .Select(n => n.node)
            .ToArray();
}
