using System.Net;

namespace PhysarumSM.Grains.Instances;

/// <summary>
/// The instances running on this node's silo, for the data path: where each container listens, and a counter of the
/// requests that reached it. Why counters instead of grain calls: the gateway and the tunnel count every request, and
/// each instance grain reads its own counter on its idle-check timer, so idle culling costs no message per request.
/// </summary>
public interface ILocalInstanceTable
{
    /// <summary>The host endpoint of running instance <paramref name="instanceId"/>; false when it does not run here.</summary>
    bool TryGetEndpoint(string instanceId, out IPEndPoint endpoint);

    /// <summary>Counts one request to the instance at the current time; ignored when it does not run here.</summary>
    void RecordRequest(string instanceId);
}
