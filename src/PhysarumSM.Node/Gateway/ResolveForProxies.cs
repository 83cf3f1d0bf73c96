using PhysarumSM.Contracts;
using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Gateway;

/// <summary>
/// Answers a standalone proxy's <c>/physarum/resolve/1.0.0</c> as this node's own gateway would resolve (RTTs from
/// here: the proxy asks its nearest node), plus the addresses of the instance's node so the proxy can tunnel to it.
/// </summary>
internal sealed class ResolveForProxies(IRouteResolver resolver, IGrainFactory grains)
{
    public async Task<ResolveAnswer> ResolveAsync(string service, PeerId caller, CancellationToken cancellationToken)
    {
        var route = await resolver.ResolveAsync(service, cancellationToken).ConfigureAwait(false);
        var node = await grains.GetNodeGrain(route.NodeId).Get(cancellationToken).ConfigureAwait(false);
        var addresses = node?.Addresses
            .Select(a => Multiaddr.TryParse(a, out var parsed) ? parsed : null)
            .OfType<Multiaddr>()
            .ToList();
        // Null lets the resolve server fill in what its peer store knows of the node.
        return ResolveAnswer.Found(route, addresses is { Count: > 0 } ? addresses : null);
    }
}
