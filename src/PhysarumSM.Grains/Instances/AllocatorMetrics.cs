using PhysarumSM.Grains.Placement;
using Prometheus;

namespace PhysarumSM.Grains.Instances;

/// <summary>How an instance got its container, as <c>physarum_allocations_total</c>'s <c>outcome</c> label says it.</summary>
internal enum AllocationOutcome
{
    /// <summary>A new container was run from the service's image.</summary>
    Started,

    /// <summary>A container of this instance key, left by an earlier activation or node run, was taken over.</summary>
    Adopted,

    /// <summary>A paused container of the service was resumed from the warm pool.</summary>
    Warm,

    /// <summary>No container could be made to answer.</summary>
    Failed,
}

/// <summary>
/// The allocator's Prometheus series, in the node's registry (the one its <c>/metrics</c> serves): instances per
/// service, allocations by outcome, how long they took, and idle culls. Why prometheus-net here rather than a Meter:
/// the metric names are part of the user contract and this library writes them exactly as given.
/// </summary>
internal sealed class AllocatorMetrics
{
    private static readonly double[] AllocationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 30];

    private readonly string _node;
    private readonly Gauge _instances;
    private readonly Counter _allocations;
    private readonly Histogram _allocationSeconds;
    private readonly Counter _culls;

    public AllocatorMetrics(CollectorRegistry registry, ILocalNode node)
    {
        _node = node.PeerId;
        var factory = Metrics.WithCustomRegistry(registry);
        _instances = factory.CreateGauge("physarum_instances", "Running service instances on this node (warm-pool containers not counted).", "service", "node");
        _allocations = factory.CreateCounter("physarum_allocations_total", "Instance activations on this node by outcome: started, adopted, warm, failed.", "service", "node", "outcome");
        _allocationSeconds = factory.CreateHistogram(
            "physarum_allocation_seconds",
            "Time from an instance's activation to its container answering HTTP (failures included).",
            new HistogramConfiguration { LabelNames = ["service", "node", "outcome"], Buckets = AllocationBuckets });
        _culls = factory.CreateCounter("physarum_culls_total", "Instances culled on this node after -idle-timeout without requests.", "service", "node");
    }

    /// <summary>Counts one activation and how long it took.</summary>
    public void Allocated(string service, AllocationOutcome outcome, TimeSpan elapsed)
    {
        var label = outcome switch
        {
            AllocationOutcome.Started => "started",
            AllocationOutcome.Adopted => "adopted",
            AllocationOutcome.Warm => "warm",
            _ => "failed",
        };
        _allocations.WithLabels(service, _node, label).Inc();
        _allocationSeconds.WithLabels(service, _node, label).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Sets how many instances of the service run here now.</summary>
    public void InstancesNow(string service, int count) => _instances.WithLabels(service, _node).Set(count);

    /// <summary>Counts one idle cull.</summary>
    public void Culled(string service) => _culls.WithLabels(service, _node).Inc();
}
