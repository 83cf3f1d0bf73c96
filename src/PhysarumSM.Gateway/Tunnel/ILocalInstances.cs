using System.Net;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>
/// The instances this node runs, by instance key, and where their containers listen on this machine. The tunnel
/// reaches only these endpoints (never an arbitrary port), and records their activity for idle culling.
/// </summary>
public interface ILocalInstances
{
    /// <summary>The loopback endpoint of a running instance on this node; false when this node does not run it.</summary>
    bool TryGetEndpoint(string instanceId, out IPEndPoint endpoint);

    /// <summary>A request (or tunnel traffic) reached the instance now; cheap, called on the hot path.</summary>
    void RecordActivity(string instanceId);
}
