namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// This host's measured RTT to a node, from its own ping monitor. Why local: the route cache re-checks every
/// cached instance every second, which must not cost a grain call.
/// </summary>
public interface IRttSource
{
    /// <summary>The smoothed RTT in ms to <paramref name="nodeId"/>: 0 for this host's own node, null when not measured.</summary>
    double? RttMs(string nodeId);
}
