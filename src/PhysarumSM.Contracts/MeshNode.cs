namespace PhysarumSM.Contracts;

/// <summary>A node as the mesh directory lists it: its record plus the liveness the directory judged, so a dashboard needs no second call.</summary>
[GenerateSerializer, Immutable, Alias("physarum.MeshNode")]
public sealed record MeshNode
{
    /// <summary>The node's record as its node grain last sent it.</summary>
    [Id(0)]
    public required NodeInfo Info { get; init; }

    /// <summary>
    /// True when the node has not been heard from for longer than the stale timeout: still listed (it may be
    /// partitioned for a moment) but not to be chosen for new work.
    /// </summary>
    [Id(1)]
    public bool IsStale { get; init; }

    /// <summary>When the directory last heard from the node, by the directory's own clock (immune to skew between machines).</summary>
    [Id(2)]
    public DateTimeOffset LastHeardAt { get; init; }
}
