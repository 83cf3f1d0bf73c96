using System.Text.Json;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Gateway.Resolve;

/// <summary>Asks a node over <c>/physarum/resolve/1.0.0</c> where a service's requests should go (the standalone proxy's resolver).</summary>
public static class ResolveClient
{
    /// <summary>How long to wait for the answer: the node's own deadline (35 s, a cold start) plus slack.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Resolves <paramref name="service"/> through <paramref name="node"/>. The returned node addresses are also added to
    /// <paramref name="host"/>'s peer store, so a tunnel can be opened to that node by peer ID right away.
    /// </summary>
    /// <param name="host">The overlay host to ask from.</param>
    /// <param name="node">A node of the mesh (e.g. the bootstrap).</param>
    /// <param name="service">The service name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ServiceNotFoundException">The service is not registered.</exception>
    /// <exception cref="NoRouteException">No instance meets the service's requirements, or the node could not resolve now.</exception>
    /// <exception cref="ArgumentException">The node judged the request invalid.</exception>
    /// <exception cref="TimeoutException">The node did not answer within <see cref="AnswerTimeout"/>.</exception>
    /// <exception cref="IOException">The node could not be reached, or broke the protocol.</exception>
    public static async Task<ResolvedRoute> ResolveAsync(Libp2pHost host, PeerId node, string service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        var request = JsonSerializer.SerializeToUtf8Bytes(new ResolveRequest { Service = service }, ResolveWire.Json);
        var stream = await host.NewStreamAsync(node, [ResolveWire.ProtocolId], cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            byte[] answer;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(AnswerTimeout);
                try
                {
                    await LengthPrefixedMessage.WriteAsync(stream.Stream, request, deadline.Token).ConfigureAwait(false);
                    await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
                    answer = await LengthPrefixedMessage.ReadAsync(stream.Stream, ResolveWire.MaxMessageBytes, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    stream.Stream.Reset();
                    throw new TimeoutException($"node {node} did not resolve '{service}' within {AnswerTimeout.TotalSeconds:0.#} s", ex);
                }
            }

            var resolved = ToRoute(Parse(answer, node), node, service);
            if (resolved.NodeAddresses.Count > 0 && PeerId.TryParse(resolved.Route.NodeId, out var instanceNode) && instanceNode != host.PeerId)
            {
                host.PeerStore.AddAddresses(instanceNode, resolved.NodeAddresses);
            }

            return resolved;
        }
    }

    private static ResolveResponse Parse(byte[] bytes, PeerId node)
    {
        try
        {
            return JsonSerializer.Deserialize<ResolveResponse>(bytes, ResolveWire.Json) ?? throw new JsonException("empty response");
        }
        catch (JsonException ex)
        {
            throw new Libp2pProtocolException($"node {node} sent a malformed resolve response: {ex.Message}", ex);
        }
    }

    private static ResolvedRoute ToRoute(ResolveResponse response, PeerId node, string service)
    {
        if (!response.Ok)
        {
            var error = response.Error ?? "no reason given";
            throw response.Code switch
            {
                ResolveCode.NotFound => new ServiceNotFoundException(service),
                ResolveCode.NoRoute => new NoRouteException(error),
                ResolveCode.Unavailable => new NoRouteException($"node {node} could not resolve '{service}' now: {error}"),
                ResolveCode.Invalid => new ArgumentException(error, nameof(service)),
                _ => new Libp2pProtocolException($"node {node} refused to resolve '{service}' with unknown code '{response.Code}': {error}"),
            };
        }

        if (string.IsNullOrWhiteSpace(response.Instance) || !PeerId.TryParse(response.Node, out var instanceNode))
        {
            throw new Libp2pProtocolException($"node {node} resolved '{service}' without a valid instance and node ('{response.Instance}' on '{response.Node}')");
        }

        // An address this build cannot parse (a newer transport) is skipped, not fatal: the others may do.
        var addresses = (response.Addresses ?? [])
            .Select(text => Multiaddr.TryParse(text, out var address) ? address : null)
            .OfType<Multiaddr>()
            .ToArray();
        var route = new Route(service, response.Instance, instanceNode.ToString(), response.SoftRttMs ?? 0, response.HardRttMs ?? 0)
        {
            ColdStart = response.ColdStart == true,
        };
        return new ResolvedRoute(route, addresses);
    }
}
