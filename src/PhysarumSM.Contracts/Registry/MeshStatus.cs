namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// The answer to the registry protocol's <c>status</c> operation (<c>physarum status</c>): the mesh as the answering
/// node's control plane sees it. Why on the registry protocol: it is the CLI's one channel into the mesh, and a
/// separate protocol would add a handler and a client for one read.
/// </summary>
public sealed record MeshStatus
{
    /// <summary>When the answering node read the directory.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The peer ID of the node that answered (RTTs are measured from it).</summary>
    public required string AnsweredBy { get; init; }

    /// <summary>Every node the mesh directory lists, stale ones included and flagged, in peer ID order.</summary>
    public required IReadOnlyList<NodeStatus> Nodes { get; init; }

    /// <summary>How many services are registered; null when the registry could not be read (see <see cref="RegistryError"/>).</summary>
    public int? Services { get; init; }

    /// <summary>Why <see cref="Services"/> is missing (etcd unreachable, no registry node); null when it was read.</summary>
    public string? RegistryError { get; init; }
}

/// <summary>One node in <see cref="MeshStatus"/>.</summary>
public sealed record NodeStatus
{
    /// <summary>The node's libp2p peer ID.</summary>
    public required string PeerId { get; init; }

    /// <summary>Its machine's host name.</summary>
    public string HostName { get; init; } = "";

    /// <summary>Its roles, lower case and comma-separated (e.g. <c>overlay, gateway, allocator</c>).</summary>
    public string Roles { get; init; } = "";

    /// <summary>True when the directory has not heard from it within the stale timeout (not chosen for new work).</summary>
    public bool Stale { get; init; }

    /// <summary>When it last heartbeated.</summary>
    public DateTimeOffset LastHeartbeat { get; init; }

    /// <summary>When its process started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Smoothed RTT from the answering node in ms (0 for itself); null when that link is not measured.</summary>
    public double? RttMs { get; init; }

    /// <summary>What it may host and has reserved; null on nodes without the allocator role.</summary>
    public NodeCapacity? Capacity { get; init; }

    /// <summary>The containers it runs for the mesh (paused ones are the warm pool).</summary>
    public IReadOnlyList<InstanceSummary> Instances { get; init; } = [];
}
