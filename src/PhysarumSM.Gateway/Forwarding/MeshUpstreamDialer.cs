using System.Net.Sockets;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>
/// Connects to an instance the shortest way: straight to its container's port when this node runs it, else one
/// <c>/physarum/tunnel/1.0.0</c> stream to the node that does. A standalone proxy has no local instances and always tunnels.
/// </summary>
/// <param name="host">The overlay host tunnels are opened from.</param>
/// <param name="localNodeId">This node's peer ID, or null for a standalone proxy.</param>
/// <param name="localInstances">This node's instances, or null for a standalone proxy.</param>
public sealed class MeshUpstreamDialer(Libp2pHost host, string? localNodeId, ILocalInstances? localInstances) : IUpstreamDialer
{
    /// <inheritdoc />
    public async ValueTask<Stream> ConnectAsync(Route route, CancellationToken cancellationToken)
    {
        if (localInstances is not null && string.Equals(route.NodeId, localNodeId, StringComparison.Ordinal))
        {
            if (!localInstances.TryGetEndpoint(route.InstanceId, out var endpoint))
            {
                throw new IOException($"instance {route.InstanceId} no longer runs on this node");
            }

            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (!PeerId.TryParse(route.NodeId, out var node))
        {
            throw new IOException($"instance {route.InstanceId} names node '{route.NodeId}', which is not a peer ID");
        }

        try
        {
            return await TunnelClient.OpenAsync(host, node, route.InstanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (TunnelRefusedException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }
}
