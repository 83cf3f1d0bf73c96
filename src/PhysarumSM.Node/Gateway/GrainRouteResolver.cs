using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Node.Registry;
using Route = PhysarumSM.Gateway.Routing.Route;

namespace PhysarumSM.Node.Gateway;

/// <summary>
/// Resolves through the service grain, from this node's point of view (RTTs measured from here). Two grain calls, only
/// on a route-cache miss: the registration (for the requirements the cache re-checks) and the resolve itself.
/// </summary>
public sealed class GrainRouteResolver(IGrainFactory grains, string localNodeId) : IRouteResolver
{
    /// <inheritdoc />
    public async Task<Route> ResolveAsync(string service, CancellationToken cancellationToken)
    {
        if (!ServiceName.IsValid(service, out _))
        {
            throw new ServiceNotFoundException(service);
        }

        var grain = grains.GetServiceGrain(service);
        ServiceRecord record;
        try
        {
            record = await grain.Get(cancellationToken).ConfigureAwait(false) ?? throw new ServiceNotFoundException(service);
        }
        catch (Exception ex) when (NoRegistryInMesh.Is(ex))
        {
            throw new NoRouteException($"service '{service}': {NoRegistryInMesh.Message}", ex);
        }
        catch (RegistryUnavailableException ex)
        {
            throw new NoRouteException($"service '{service}': the registry did not answer: {ex.Message}", ex);
        }
        var asked = DateTimeOffset.UtcNow;
        InstanceInfo instance;
        try
        {
            instance = await grain.Resolve(localNodeId, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            throw new ServiceNotFoundException(service);   // deleted between the two calls
        }
        catch (Exception ex) when (ex is NoInstanceWithinRequirementException or InstanceStartException)
        {
            throw new NoRouteException(ex.Message, ex);
        }

        // Clocks of different machines may differ slightly; this only feeds physarum_cold_starts_total.
        return new Route(service, instance.InstanceId, instance.NodeId, record.Info.SoftRttMs, record.Info.HardRttMs)
        {
            ColdStart = instance.ActivatedAt >= asked,
        };
    }
}
