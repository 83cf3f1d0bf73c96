using System.Net;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.Grains.Instances;

namespace PhysarumSM.Node.Gateway;

/// <summary>The data path's view of this node's instances: the allocator's table of running containers and their request counters.</summary>
public sealed class LocalInstances(ILocalInstanceTable table) : ILocalInstances
{
    /// <inheritdoc />
    public bool TryGetEndpoint(string instanceId, out IPEndPoint endpoint) => table.TryGetEndpoint(instanceId, out endpoint);

    /// <inheritdoc />
    public void RecordActivity(string instanceId) => table.RecordRequest(instanceId);
}
