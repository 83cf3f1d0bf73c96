namespace PhysarumSM.Contracts;

/// <summary>
/// How much a node may host and how much of it is taken, published with the node's heartbeat so that resolution only
/// allocates where a new instance fits.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.NodeCapacity")]
public sealed record NodeCapacity
{
    /// <summary>CPU cores the node offers to instances (fractions allowed, as <c>CpuReq</c>).</summary>
    [Id(0)]
    public double CpuCores { get; init; }

    /// <summary>Memory the node offers to instances, in MiB (the unit of <c>MemoryReq</c>).</summary>
    [Id(1)]
    public long MemoryMiB { get; init; }

    /// <summary>How many instances the node runs at most, whatever their size.</summary>
    [Id(2)]
    public int MaxInstances { get; init; }

    /// <summary>Instances running on the node now.</summary>
    [Id(3)]
    public int Instances { get; init; }

    /// <summary>CPU cores reserved by the running instances (the sum of their <c>CpuReq</c>).</summary>
    [Id(4)]
    public double CpuReserved { get; init; }

    /// <summary>Memory in MiB reserved by the running instances (the sum of their <c>MemoryReq</c>).</summary>
    [Id(5)]
    public long MemoryReservedMiB { get; init; }

    /// <summary>Cores not yet reserved (never negative).</summary>
    public double FreeCpuCores => Math.Max(0, CpuCores - CpuReserved);

    /// <summary>MiB not yet reserved (never negative).</summary>
    public long FreeMemoryMiB => Math.Max(0, MemoryMiB - MemoryReservedMiB);

    /// <summary>Whether one more instance needing <paramref name="cpuCores"/> and <paramref name="memoryMiB"/> fits.</summary>
    public bool HasRoomFor(double cpuCores, long memoryMiB) =>
        Instances < MaxInstances && FreeCpuCores >= cpuCores && FreeMemoryMiB >= memoryMiB;
}
