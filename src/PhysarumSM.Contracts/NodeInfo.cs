using System.Collections.Immutable;

namespace PhysarumSM.Contracts;

/// <summary>
/// What the mesh knows about one node (one machine, one silo); kept by <see cref="INodeGrain"/> and copied into the
/// mesh directory so that listings never fan out to every node grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.NodeInfo")]
public sealed record NodeInfo
{
    /// <summary>The node's libp2p peer ID (text form): the node grain's key and the node's identity everywhere.</summary>
    [Id(0)]
    public required string PeerId { get; init; }

    /// <summary>The machine's host name, for people reading dashboards and the original's <c>host</c> metric label.</summary>
    [Id(1)]
    public string HostName { get; init; } = "";

    /// <summary>Which roles the node runs, so placement and routing only pick nodes that can do the job.</summary>
    [Id(2)]
    public NodeRoles Roles { get; init; }

    /// <summary>The node's libp2p multiaddrs (text, usually ending in <c>/p2p/&lt;peer id&gt;</c>), so peers and tools can dial it.</summary>
    [Id(3)]
    public ImmutableArray<string> Addresses { get; init; } = [];

    /// <summary>
    /// The Orleans silo this node runs; lets placement pin an instance grain to the node's machine. Left null by the
    /// caller, the node grain fills in the silo it is active on (the node's own silo when the node activated it).
    /// </summary>
    [Id(4)]
    public SiloAddress? Silo { get; init; }

    /// <summary>When the node process started, so restarts are visible (a newer start means a fresh node).</summary>
    [Id(5)]
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the node grain last heard from the node (stamped by the grain's clock, not the caller's).</summary>
    [Id(6)]
    public DateTimeOffset LastHeartbeat { get; init; }

    /// <summary>
    /// What the node may host and has taken, so resolution skips full nodes; null for nodes without the allocator role
    /// or from older versions, which resolution treats as having room.
    /// </summary>
    [Id(7)]
    public NodeCapacity? Capacity { get; init; }

    /// <summary>The node's HTTP gateway for people and clients on its machine, e.g. <c>http://127.0.0.1:4200/</c>; empty when unknown.</summary>
    [Id(8)]
    public string GatewayUrl { get; init; } = "";

    /// <summary>The node's dashboard and admin API, e.g. <c>http://127.0.0.1:8080/</c>; empty when it serves none.</summary>
    [Id(9)]
    public string AdminUrl { get; init; } = "";

    /// <summary>The containers the node runs for the mesh (instances and warm-pool ones); empty on nodes without the allocator role.</summary>
    [Id(10)]
    public ImmutableArray<InstanceSummary> Instances { get; init; } = [];

    /// <summary>Value equality including the addresses' contents (an <see cref="ImmutableArray{T}"/> alone compares by reference); add new members here.</summary>
    public bool Equals(NodeInfo? other) =>
        other is not null
        && PeerId == other.PeerId
        && HostName == other.HostName
        && Roles == other.Roles
        && Addresses.AsSpan().SequenceEqual(other.Addresses.AsSpan())
        && Equals(Silo, other.Silo)
        && StartedAt == other.StartedAt
        && LastHeartbeat == other.LastHeartbeat
        && Equals(Capacity, other.Capacity)
        && GatewayUrl == other.GatewayUrl
        && AdminUrl == other.AdminUrl
        && Instances.AsSpan().SequenceEqual(other.Instances.AsSpan());

    /// <summary>Consistent with <see cref="Equals(NodeInfo?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(PeerId, HostName, Roles, Addresses.Length, Silo, StartedAt, LastHeartbeat, Capacity);
}
