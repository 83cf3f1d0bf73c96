namespace PhysarumSM.Grains.Placement;

/// <summary>The node this silo belongs to; why a service: placement and instance grains must know which node they run on.</summary>
public interface ILocalNode
{
    /// <summary>The node's libp2p peer ID (its node id everywhere in the mesh).</summary>
    string PeerId { get; }
}

/// <summary>The node id given to <see cref="PhysarumNodeSiloBuilderExtensions.AddPhysarumNode"/>.</summary>
internal sealed record LocalNode(string PeerId) : ILocalNode;
