using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PhysarumSM.Contracts;

namespace PhysarumSM.Grains.Instances;

/// <summary>This node's capacity as the node publishes it with its heartbeat, so resolution elsewhere can skip a full node.</summary>
public interface IAllocatorCapacity
{
    /// <summary>The capacity now: totals from <see cref="AllocatorOptions"/> or the machine, used figures from the running instances.</summary>
    NodeCapacity Current { get; }
}

/// <summary>
/// The instances running on this node and what they reserve, kept in memory by the instance grains. Why in memory: an
/// instance lives and dies with this silo, and the startup sweep removes whatever an earlier run left behind.
/// </summary>
internal sealed class NodeLedger(IOptions<AllocatorOptions> options) : IAllocatorCapacity
{
    private const long BytesPerMiB = 1024 * 1024;

    private readonly ConcurrentDictionary<string, Reservation> _running = new(StringComparer.Ordinal);

    public NodeCapacity Current
    {
        get
        {
            var o = options.Value;
            var reservations = _running.Values.ToList();   // one snapshot, so the three figures agree
            return new NodeCapacity
            {
                CpuCores = o.CpuCores ?? Environment.ProcessorCount,
                MemoryMiB = o.MemoryMiB ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / BytesPerMiB,
                MaxInstances = o.MaxInstances,
                Instances = reservations.Count,
                CpuReserved = reservations.Sum(r => r.CpuCores),
                MemoryReservedMiB = reservations.Sum(r => r.MemoryMiB),
            };
        }
    }

    /// <summary>Records a started instance; starting the same instance again replaces its entry (an adoption is not a second instance).</summary>
    public void Started(string instanceId, string containerId, double cpuCores, long memoryMiB) =>
        _running[instanceId] = new Reservation(containerId, cpuCores, memoryMiB);

    /// <summary>Releases what the instance reserved; false when it was not recorded.</summary>
    public bool Stopped(string instanceId) => _running.TryRemove(instanceId, out _);

    /// <summary>Whether a live instance owns <paramref name="containerId"/>, so the sweep leaves it alone.</summary>
    public bool Tracks(string containerId) => _running.Values.Any(r => string.Equals(r.ContainerId, containerId, StringComparison.Ordinal));

    private sealed record Reservation(string ContainerId, double CpuCores, long MemoryMiB);
}
