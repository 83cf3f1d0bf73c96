using Orleans.Runtime.Placement;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Placement;

/// <summary>
/// Puts a <see cref="NodePinnedPlacement"/> grain on the silo of the node in its key, or fails the call with
/// <see cref="NodeUnavailableException"/>. Why fail rather than fall back: an instance elsewhere would run its container
/// on the wrong machine; the service grain picks another node instead. Placement hints are ignored for the same reason.
/// </summary>
internal sealed class NodePinnedPlacementDirector(NodeSilos nodes) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var text = target.GrainIdentity.Key.ToString();
        if (!InstanceKey.TryParse(text, out var key))
        {
            throw new NodeUnavailableException("", $"grain {target.GrainIdentity} is placed by node but its key '{text}' is not '{{service}}/{{nodeId}}/{{ordinal}}'");
        }

        var compatible = context.GetCompatibleSilos(target);
        return nodes.Find(key.NodeId, compatible) is { } silo
            ? Task.FromResult(silo)
            : throw new NodeUnavailableException(
                key.NodeId,
                $"node {key.NodeId} has no live silo that can host {target.GrainIdentity} (gone, not joined yet, or without the allocator role); "
                + $"{compatible.Length} compatible silo(s): {string.Join(", ", compatible.Select(s => $"{s} = {nodes.NodeIdOf(s) ?? "?"}"))}");
    }
}
