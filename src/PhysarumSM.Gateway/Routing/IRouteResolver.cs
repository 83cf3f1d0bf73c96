namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// Asks the mesh where a service's request should go, starting an instance if needed (a cold start can take
/// seconds). The node implements it with the service grain; the standalone proxy with <c>/physarum/resolve/1.0.0</c>.
/// </summary>
public interface IRouteResolver
{
    /// <summary>The instance to use for <paramref name="service"/> from here, started if needed.</summary>
    /// <param name="service">The service name.</param>
    /// <param name="cancellationToken">Cancels the wait (the gateway's cold-start timeout).</param>
    /// <exception cref="ServiceNotFoundException">The service is not registered.</exception>
    /// <exception cref="NoRouteException">Nothing is within the service's hard RTT requirement, or no instance could start.</exception>
    Task<Route> ResolveAsync(string service, CancellationToken cancellationToken);
}

/// <summary>The service is not registered (the gateway answers 404).</summary>
public sealed class ServiceNotFoundException(string service)
    : Exception($"service '{service}' is not registered; register it with 'physarum service add'")
{
    /// <summary>The name that was asked for.</summary>
    public string Service { get; } = service;
}

/// <summary>The mesh has no instance for the service that meets its requirements and could not start one (503).</summary>
public sealed class NoRouteException(string message, Exception? inner = null) : Exception(message, inner);
