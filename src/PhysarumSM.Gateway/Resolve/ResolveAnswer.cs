using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Resolve;

/// <summary>
/// What the node's resolution returns to <see cref="ResolveServer"/>: a route, or a failure code with its message.
/// The delegate may also throw <see cref="ServiceNotFoundException"/> or <see cref="NoRouteException"/>; the server
/// maps those the same way.
/// </summary>
public sealed record ResolveAnswer
{
    private ResolveAnswer(Route? route, IReadOnlyList<Multiaddr>? nodeAddresses, string? code, string? error)
    {
        Route = route;
        NodeAddresses = nodeAddresses;
        Code = code;
        Error = error;
    }

    /// <summary>The route, when found.</summary>
    public Route? Route { get; }

    /// <summary>
    /// How to dial the route's node; null lets the server fill them in (its own listen addresses, or what its peer
    /// store knows of the other node).
    /// </summary>
    public IReadOnlyList<Multiaddr>? NodeAddresses { get; }

    /// <summary>One of <see cref="ResolveCode"/> when not found.</summary>
    public string? Code { get; }

    /// <summary>The failure message.</summary>
    public string? Error { get; }

    /// <summary>The instance to use.</summary>
    public static ResolveAnswer Found(Route route, IReadOnlyList<Multiaddr>? nodeAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new(route, nodeAddresses, null, null);
    }

    /// <summary>The service is not registered.</summary>
    public static ResolveAnswer NotFound(string service) =>
        new(null, null, ResolveCode.NotFound, new ServiceNotFoundException(service).Message);

    /// <summary>Nothing meets the service's requirements.</summary>
    public static ResolveAnswer NoRoute(string error) => new(null, null, ResolveCode.NoRoute, error);

    /// <summary>The node cannot resolve right now.</summary>
    public static ResolveAnswer Unavailable(string error) => new(null, null, ResolveCode.Unavailable, error);
}
