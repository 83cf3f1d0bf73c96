namespace PhysarumSM.Contracts;

/// <summary>
/// One container a node runs for the mesh, as the node publishes it with its heartbeat: a running instance or a paused
/// warm-pool container. Why published by the node rather than read from instance grains: listing must never activate an
/// instance grain (that would start a container), and the node knows its containers without asking anyone.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.InstanceSummary")]
public sealed record InstanceSummary
{
    /// <summary>The instance key, <c>{service}/{nodeId}/{ordinal}</c>; empty for a warm-pool container (no instance owns it until one resumes it).</summary>
    [Id(0)]
    public required string InstanceId { get; init; }

    /// <summary>The service it runs.</summary>
    [Id(1)]
    public required string Service { get; init; }

    /// <summary>The Docker container ID.</summary>
    [Id(2)]
    public required string ContainerId { get; init; }

    /// <summary>True for a paused container waiting in the warm pool; false for a running instance.</summary>
    [Id(3)]
    public bool Paused { get; init; }

    /// <summary>When the instance became ready on this node (for a warm-pool container: when it was paused).</summary>
    [Id(4)]
    public DateTimeOffset Since { get; init; }

    /// <summary>When a request last reached it through this node's gateway or tunnel; null when none yet.</summary>
    [Id(5)]
    public DateTimeOffset? LastRequestAt { get; init; }

    /// <summary>Requests counted on this node (a kept-alive tunnel counts at most once a second).</summary>
    [Id(6)]
    public long Requests { get; init; }
}
