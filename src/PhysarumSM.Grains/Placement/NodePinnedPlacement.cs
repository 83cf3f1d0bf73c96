namespace PhysarumSM.Grains.Placement;

/// <summary>
/// Places a grain on the silo of the node named in its key (<c>{service}/{nodeId}/{ordinal}</c>). Why: an instance grain
/// must live where its container runs, so grain placement decides which machine spawns the container.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("physarum.NodePinnedPlacement")]
public sealed class NodePinnedPlacement : PlacementStrategy;
