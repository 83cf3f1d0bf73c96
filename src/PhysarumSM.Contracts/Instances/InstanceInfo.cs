namespace PhysarumSM.Contracts.Instances;

/// <summary>
/// One running service instance: its container and where the hosting node reaches it. Why a record: the service grain
/// and the gateway cache it to route requests without calling the instance grain per request.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.InstanceInfo")]
public sealed record InstanceInfo
{
    /// <summary>The instance grain's key, <c>{service}/{nodeId}/{ordinal}</c> (also the container's <c>physarum.instance</c> label).</summary>
    [Id(0)]
    public required string InstanceId { get; init; }

    /// <summary>The registered service it runs.</summary>
    [Id(1)]
    public required string Service { get; init; }

    /// <summary>The peer ID of the node that runs it.</summary>
    [Id(2)]
    public required string NodeId { get; init; }

    /// <summary>The silo the instance grain is active on (the node's own silo).</summary>
    [Id(3)]
    public SiloAddress? Silo { get; init; }

    /// <summary>The Docker container's id.</summary>
    [Id(4)]
    public required string ContainerId { get; init; }

    /// <summary>The host port SERVICE_PORT is published on (loopback of the hosting node).</summary>
    [Id(5)]
    public int HostPort { get; init; }

    /// <summary>The instance's HTTP base address on the hosting node's loopback, e.g. <c>http://127.0.0.1:32768/</c>; only that node reaches it.</summary>
    [Id(6)]
    public required Uri Endpoint { get; init; }

    /// <summary>When the container started (adopted containers keep their original start).</summary>
    [Id(7)]
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>True when the activation found the container left by an earlier activation or node run and kept it.</summary>
    [Id(8)]
    public bool Adopted { get; init; }

    /// <summary>Where the instance is in its life.</summary>
    [Id(9)]
    public InstanceState State { get; init; }

    /// <summary>When the instance last served (or was asked for) a request, by the hosting node's clock; idle culling counts from here.</summary>
    [Id(10)]
    public DateTimeOffset LastActivityAt { get; init; }

    /// <summary>Requests reported by gateways since the activation.</summary>
    [Id(11)]
    public long Requests { get; init; }

    /// <summary>When this activation of the instance became ready, by the hosting node's clock; a resolve that sees it after its own start caused a cold start.</summary>
    [Id(12)]
    public DateTimeOffset ActivatedAt { get; init; }
}
