namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// One instance a request for <see cref="Service"/> can go to, as the mesh resolved it. Why the requirements ride
/// along: the route cache re-checks every cached instance against them without asking the registry again.
/// </summary>
/// <param name="Service">The service name (first path segment of the request).</param>
/// <param name="InstanceId">The instance key, <c>{service}/{nodeId}/{ordinal}</c>; what a tunnel asks for.</param>
/// <param name="NodeId">Peer ID of the node that runs the instance.</param>
/// <param name="SoftRttMs">The service's soft RTT requirement in ms (0 = none).</param>
/// <param name="HardRttMs">The service's hard RTT requirement in ms (0 = none).</param>
public sealed record Route(string Service, string InstanceId, string NodeId, int SoftRttMs, int HardRttMs)
{
    /// <summary>The resolve that produced this route started the instance (a cold start), as opposed to finding it running.</summary>
    public bool ColdStart { get; init; }
}
