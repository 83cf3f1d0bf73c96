using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Node.Registry;
using Route = PhysarumSM.Gateway.Routing.Route;

namespace PhysarumSM.Node.Gateway;

/// <summary>
/// Resolves through the service grain, from this node's point of view (RTTs measured from here). Two grain calls, only
/// on a route-cache miss: the registration (for the requirements the cache re-checks) and the resolve itself. While the
/// cluster recovers from a dead node (calls to its silo rejected until membership declares it dead, a re-created mesh
/// directory still filling) it resolves again with a short backoff until the caller's deadline, so a request that
/// arrives during a failover waits for the new instance as it would for a cold start instead of failing.
/// </summary>
public sealed partial class GrainRouteResolver(IGrainFactory grains, string localNodeId, ILogger<GrainRouteResolver>? logger = null) : IRouteResolver
{
    private readonly ILogger _logger = logger ?? NullLogger<GrainRouteResolver>.Instance;

    /// <inheritdoc />
    public async Task<Route> ResolveAsync(string service, CancellationToken cancellationToken)
    {
        if (!ServiceName.IsValid(service, out _))
        {
            throw new ServiceNotFoundException(service);
        }

        return await MeshRecovery.RetryAsync(
            ct => ResolveOnceAsync(service, ct),
            IsTransient,
            (attempt, backoff, ex) => LogRetrying(_logger, service, attempt, backoff.TotalMilliseconds, ex.Message),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Failures that end once the cluster settled (<see cref="MeshRecovery.IsClusterInFlux"/>), a grain call that timed out, or a refusal caused by one.</summary>
    internal static bool IsTransient(Exception ex) =>
        MeshRecovery.IsClusterInFlux(ex) || ex is TimeoutException
        || ex is NoRouteException { InnerException: { } inner } && IsTransient(inner);

    private async Task<Route> ResolveOnceAsync(string service, CancellationToken cancellationToken)
    {
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway: resolving {Service} failed while the cluster recovers (attempt {Attempt}); again in {BackoffMs} ms: {Error}")]
    private static partial void LogRetrying(ILogger logger, string service, int attempt, double backoffMs, string error);
}
