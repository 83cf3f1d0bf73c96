namespace PhysarumSM.Contracts;

/// <summary>Typed ways to reach the mesh grains, so no caller builds a key by hand.</summary>
public static class MeshGrainFactoryExtensions
{
    /// <summary>The key of the single <see cref="IMeshDirectoryGrain"/>.</summary>
    public const string MeshDirectoryKey = "mesh";

    /// <summary>The grain of the node with this libp2p peer ID.</summary>
    public static INodeGrain GetNodeGrain(this IGrainFactory grains, string peerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peerId);
        return grains.GetGrain<INodeGrain>(peerId);
    }

    /// <summary>The grain of the link measured by <paramref name="from"/> towards <paramref name="to"/>.</summary>
    /// <exception cref="ArgumentException">A peer ID cannot be part of a link key.</exception>
    public static IPeerLinkGrain GetPeerLinkGrain(this IGrainFactory grains, string from, string to) =>
        grains.GetGrain<IPeerLinkGrain>(PeerLinkKey.Format(from, to));

    /// <summary>The mesh directory.</summary>
    public static IMeshDirectoryGrain GetMeshDirectory(this IGrainFactory grains) =>
        grains.GetGrain<IMeshDirectoryGrain>(MeshDirectoryKey);
}
