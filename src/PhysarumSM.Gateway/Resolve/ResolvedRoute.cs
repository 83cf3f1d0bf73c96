using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Resolve;

/// <summary>A route resolved by a node for a standalone proxy, with the addresses of the node that runs the instance.</summary>
/// <param name="Route">The instance to use.</param>
/// <param name="NodeAddresses">Listen addresses of <see cref="Route.NodeId"/> (possibly empty when the resolving node knew none).</param>
public sealed record ResolvedRoute(Route Route, IReadOnlyList<Multiaddr> NodeAddresses);
