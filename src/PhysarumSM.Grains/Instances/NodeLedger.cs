using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Instances;

/// <summary>This node's capacity as the node publishes it with its heartbeat, so resolution elsewhere can skip a full node.</summary>
public interface IAllocatorCapacity
{
    /// <summary>The capacity now: totals from <see cref="AllocatorOptions"/> or the machine, used figures from the running instances.</summary>
    NodeCapacity Current { get; }

    /// <summary>The containers this node runs for the mesh now: running instances, then paused warm-pool ones.</summary>
    ImmutableArray<InstanceSummary> Instances { get; }
}

/// <summary>
/// The instances running on this node and what they reserve, kept in memory by the instance grains, plus the warm pool's
/// paused containers (they hold their reservation). Why in memory: an instance lives and dies with this silo, and the
/// startup sweep removes whatever an earlier run left behind.
/// </summary>
internal sealed class NodeLedger(
    IOptions<AllocatorOptions> options,
    ContainerRuntime runtime,
    AllocatorMetrics metrics,
    [FromKeyedServices(MeshGrainOptions.ClockServiceKey)] TimeProvider clock,
    ILogger<WarmPool> poolLogger) : IAllocatorCapacity, ILocalInstanceTable, IDisposable
{
    private const long BytesPerMiB = 1024 * 1024;

    /// <summary>The node's warm pool; owned here because a paused container is capacity this ledger must count.</summary>
    public WarmPool Pool { get; } = new(runtime, options, clock, poolLogger);

    private readonly ConcurrentDictionary<string, Reservation> _running = new(StringComparer.Ordinal);

    public NodeCapacity Current
    {
        get
        {
            var o = options.Value;
            // One snapshot each, so the figures agree; a paused container still holds its memory and its slot.
            var reservations = _running.Values.Select(r => (r.CpuCores, r.MemoryMiB))
                .Concat(Pool.Paused.Select(p => (p.CpuCores, p.MemoryMiB)))
                .ToList();
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

    public ImmutableArray<InstanceSummary> Instances =>
    [
        .. _running.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new InstanceSummary
        {
            InstanceId = r.Key,
            Service = InstanceKey.Parse(r.Key).Service,
            ContainerId = r.Value.ContainerId,
            Since = r.Value.Since,
            LastRequestAt = r.Value.Traffic.LastAt,
            Requests = r.Value.Traffic.Total,
        }),
        .. Pool.Paused.OrderBy(p => p.PausedAt).Select(p => new InstanceSummary
        {
            InstanceId = "",
            Service = p.Service,
            ContainerId = p.ContainerId,
            Paused = true,
            Since = p.PausedAt,
        }),
    ];

    /// <summary>Records a started instance; starting the same instance again replaces its entry (an adoption is not a second instance).</summary>
    public void Started(string instanceId, string containerId, string image, double cpuCores, long memoryMiB, IPEndPoint endpoint)
    {
        _running[instanceId] = new Reservation(containerId, image, cpuCores, memoryMiB, endpoint, new InstanceTraffic(), clock.GetUtcNow());
        PublishCount(instanceId);
    }

    /// <summary>What the instance reserved; null when it is not recorded.</summary>
    public Reservation? ReservationOf(string instanceId) => _running.GetValueOrDefault(instanceId);

    /// <summary>Releases what the instance reserved; false when it was not recorded.</summary>
    public bool Stopped(string instanceId)
    {
        var removed = _running.TryRemove(instanceId, out _);
        PublishCount(instanceId);
        return removed;
    }

    public bool TryGetEndpoint(string instanceId, out IPEndPoint endpoint)
    {
        endpoint = _running.TryGetValue(instanceId, out var reservation) ? reservation.Endpoint : null!;
        return endpoint is not null;
    }

    public void RecordRequest(string instanceId)
    {
        if (_running.TryGetValue(instanceId, out var reservation))
        {
            reservation.Traffic.Record(clock.GetUtcNow());
        }
    }

    /// <summary>The requests counted for the instance since the last call, and when the latest arrived; (0, null) when none or not running.</summary>
    public (long Count, DateTimeOffset? LastAt) TakeRequests(string instanceId) =>
        _running.TryGetValue(instanceId, out var reservation) ? reservation.Traffic.Take() : (0, null);

    /// <summary>Whether a live instance or the warm pool owns <paramref name="containerId"/>, so the sweep and label adoption leave it alone.</summary>
    public bool Tracks(string containerId) =>
        Pool.Tracks(containerId) || _running.Values.Any(r => string.Equals(r.ContainerId, containerId, StringComparison.Ordinal));

    /// <summary>Whether one more instance of this size fits, paused containers counted.</summary>
    public bool HasRoomFor(double cpuCores, long memoryMiB) => Current.HasRoomFor(cpuCores, memoryMiB);

    public void Dispose() => Pool.Dispose();

    // Counted from the ledger itself, so the gauge can never drift from what the node reserves.
    private void PublishCount(string instanceId)
    {
        var service = InstanceKey.Parse(instanceId).Service;
        var prefix = service + InstanceKey.Separator;
        metrics.InstancesNow(service, _running.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal)));
    }

    /// <summary>One instance's container and what it reserves; the image lets the warm pool match the service's current one.</summary>
    internal sealed record Reservation(string ContainerId, string Image, double CpuCores, long MemoryMiB, IPEndPoint Endpoint, InstanceTraffic Traffic, DateTimeOffset Since);

    /// <summary>Requests counted on the data path, lock-free: many request threads add, the instance's timer takes.</summary>
    internal sealed class InstanceTraffic
    {
        private long _count;
        private long _total;
        private long _lastTicks;

        public long Total => Interlocked.Read(ref _total);

        public DateTimeOffset? LastAt => Interlocked.Read(ref _lastTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

        public void Record(DateTimeOffset at)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Increment(ref _total);
            Interlocked.Exchange(ref _lastTicks, at.UtcTicks);
        }

        public (long Count, DateTimeOffset? LastAt) Take()
        {
            var count = Interlocked.Exchange(ref _count, 0);
            var ticks = Interlocked.Read(ref _lastTicks);
            return (count, count == 0 || ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }
}
