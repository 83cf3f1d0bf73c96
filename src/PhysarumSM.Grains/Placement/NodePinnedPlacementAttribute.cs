using Orleans.Placement;

namespace PhysarumSM.Grains.Placement;

/// <summary>Marks a grain class whose key names the node it must run on (see <see cref="NodePinnedPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePinnedPlacementAttribute() : PlacementAttribute(new NodePinnedPlacement());
