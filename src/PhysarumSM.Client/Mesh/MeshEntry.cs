namespace PhysarumSM.Client.Mesh;

/// <summary>
/// Where this client enters the mesh: the node it resolves from and the HTTP gateway it sends through (either may be
/// unknown). Why together: both come from one read of the mesh directory and usually name the same node.
/// </summary>
/// <param name="FromNode">Peer ID the client resolves from; null when no node is known.</param>
/// <param name="Gateway">The HTTP gateway's base address (ends with '/'); null when none is reachable from here.</param>
internal sealed record MeshEntry(string? FromNode, Uri? Gateway)
{
    /// <summary>True when both are known, so the entry is worth caching.</summary>
    public bool IsComplete => FromNode is not null && Gateway is not null;
}
