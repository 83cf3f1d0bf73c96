using Microsoft.Extensions.Logging;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Cli.Proxy;

/// <summary>
/// The proxy's <see cref="IRouteResolver"/>: asks the nearest connected node over <c>/physarum/resolve/1.0.0</c> (the
/// node resolves from its own point of view, so the instance is near the proxy too), and when that node cannot be
/// reached asks the next nearest. The answer's node addresses land in the peer store, so the tunnel can dial that node.
/// </summary>
internal sealed partial class NearestNodeResolver(Libp2pHost host, NodeRtts rtts, ILogger<NearestNodeResolver> logger) : IRouteResolver
{
    /// <summary>What a request gets (503) while no node is connected.</summary>
    public const string NotConnected = "the proxy is not connected to any node";

    /// <inheritdoc />
    public async Task<Route> ResolveAsync(string service, CancellationToken cancellationToken)
    {
        if (!ServiceName.IsValid(service, out _))
        {
            throw new ServiceNotFoundException(service);   // no name the registry would accept; no need to ask
        }

        var nodes = rtts.Nearest(host.ConnectedPeers);
        if (nodes.Count == 0)
        {
            throw new NoRouteException(NotConnected);
        }

        var failures = new List<string>();
        foreach (var node in nodes)
        {
            try
            {
                var resolved = await ResolveClient.ResolveAsync(host, node, service, cancellationToken).ConfigureAwait(false);
                LogResolved(service, node, resolved.Route.InstanceId, resolved.Route.NodeId);
                return resolved.Route;
            }
            catch (Exception ex) when (ex is IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The node went away or broke the protocol: the next nearest one can answer as well.
                LogNodeFailed(service, node, ex.Message);
                failures.Add($"{node}: {ex.Message}");
            }
            catch (ArgumentException ex)
            {
                throw new NoRouteException($"node {node} refused to resolve '{service}': {ex.Message}", ex);
            }
        }

        throw new NoRouteException($"no connected node could resolve '{service}': {string.Join("; ", failures)}");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Proxy: {Service} resolved by {Node} to {InstanceId} on {InstanceNode}")]
    private partial void LogResolved(string service, PeerId node, string instanceId, string instanceNode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy: node {Node} could not resolve {Service}, trying the next node: {Reason}")]
    private partial void LogNodeFailed(string service, PeerId node, string reason);
}
