using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace PhysarumSM.Grains.Placement;

/// <summary>
/// Which node a silo belongs to: this silo's own node from <see cref="ILocalNode"/>, other silos' from their metadata
/// (<see cref="MetadataKey"/>). Why both: the metadata cache learns other silos from membership, and a silo's own
/// node must resolve even before that.
/// </summary>
internal sealed class NodeSilos(ILocalSiloDetails localSilo, IServiceProvider services)
{
    /// <summary>The silo metadata key holding the node's peer ID.</summary>
    public const string MetadataKey = "physarum.node";

    private readonly ILocalNode? _localNode = services.GetService<ILocalNode>();
    private readonly ISiloMetadataCache? _metadata = services.GetService<ISiloMetadataCache>();

    /// <summary>This silo's node id; null when the silo was not given one.</summary>
    public string? LocalNodeId => _localNode?.PeerId;

    /// <summary>The node id of <paramref name="silo"/>; null when unknown (no metadata yet, or a silo that is no node).</summary>
    public string? NodeIdOf(SiloAddress silo)
    {
        if (silo.Equals(localSilo.SiloAddress))
        {
            return _localNode?.PeerId;
        }

        return _metadata?.GetSiloMetadata(silo).Metadata.GetValueOrDefault(MetadataKey);
    }

    /// <summary>The silo among <paramref name="candidates"/> that belongs to <paramref name="nodeId"/>; null when none does.</summary>
    public SiloAddress? Find(string nodeId, IEnumerable<SiloAddress> candidates) =>
        candidates.FirstOrDefault(silo => string.Equals(NodeIdOf(silo), nodeId, StringComparison.Ordinal));
}
