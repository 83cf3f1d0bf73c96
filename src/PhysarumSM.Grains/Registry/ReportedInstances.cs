using System.Collections.Immutable;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Registry;

/// <summary>
/// The running instances of one service as the nodes themselves report them in the mesh directory. Why: a service
/// grain keeps its instances in memory only, so an activation re-created elsewhere (its silo died, or it was collected
/// while gateways kept serving from cached routes) would otherwise ignore instances that are still running.
/// </summary>
internal static class ReportedInstances
{
    /// <summary>
    /// Keys of <paramref name="service"/>'s running instances, each reported by the node its key names (a key another
    /// node reports is not trusted). Warm-pool containers are not instances; stale nodes count only when asked for.
    /// </summary>
    public static IEnumerable<InstanceKey> Of(string service, ImmutableArray<MeshNode> nodes, bool includeStale) =>
        nodes
            .Where(n => includeStale || !n.IsStale)
            .SelectMany(n => n.Info.Instances
                .Where(i => !i.Paused && string.Equals(i.Service, service, StringComparison.Ordinal))
                .Select(i => InstanceKey.TryParse(i.InstanceId, out var key) ? key : (InstanceKey?)null)
                .Where(k => k is { } key
                    && string.Equals(key.Service, service, StringComparison.Ordinal)
                    && string.Equals(key.NodeId, n.Info.PeerId, StringComparison.Ordinal))
                .Select(k => k!.Value));
}
