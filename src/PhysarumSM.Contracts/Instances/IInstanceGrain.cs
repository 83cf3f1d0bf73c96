namespace PhysarumSM.Contracts.Instances;

/// <summary>
/// One instance of a service on one node (key <see cref="InstanceKey"/>). Placement pins it to the node's silo; its
/// activation starts (or adopts) the container and waits until it answers, its deactivation removes the container.
/// Why a grain: the container exists exactly while the grain is active, so Orleans' directory is the instance list.
/// </summary>
/// <remarks>
/// Every call activates the grain, and activating starts a container: call only instances you mean to use. A key
/// naming a node that is not in the cluster fails with <see cref="NodeUnavailableException"/>; a container that does not
/// start fails the call with <see cref="InstanceStartException"/>.
/// </remarks>
[Alias("physarum.IInstanceGrain")]
public interface IInstanceGrain : IGrainWithStringKey
{
    /// <summary>Starts the instance if needed and returns where it answers; counts as activity.</summary>
    [Alias("EnsureStarted")]
    Task<InstanceInfo> EnsureStarted(CancellationToken cancellationToken = default);

    /// <summary>The instance as it is now (activating it, like every call, if it was not running).</summary>
    [Alias("Get")]
    Task<InstanceInfo> Get(CancellationToken cancellationToken = default);

    /// <summary>Keeps the instance from being culled as idle: counts as activity now.</summary>
    [Alias("Touch")]
    Task Touch(CancellationToken cancellationToken = default);

    /// <summary>
    /// A gateway's batch report: <paramref name="count"/> requests, the last at <paramref name="lastRequestAt"/>. Why a
    /// batch: requests never call the grain one by one. Times in the future are taken as now.
    /// </summary>
    [Alias("RecordRequests")]
    Task RecordRequests(long count, DateTimeOffset lastRequestAt, CancellationToken cancellationToken = default);

    /// <summary>Removes the container now and deactivates the grain; the next call starts a fresh one.</summary>
    [Alias("Stop")]
    Task Stop(CancellationToken cancellationToken = default);
}
