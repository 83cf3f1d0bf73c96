using Orleans.Concurrency;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// One registered service (key = service name); its registration is persisted in etcd, and it decides where the
/// service's instances run (the instances it allocated are kept in memory only: they die with their silos anyway).
/// </summary>
[Alias("physarum.IServiceGrain")]
public interface IServiceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates or replaces the service. With <paramref name="expectedVersion"/> the write only happens if the stored
    /// version still matches (0 = must not exist yet); otherwise a <see cref="ServiceConflictException"/> says so.
    /// </summary>
    [Alias("Register")]
    Task<ServiceRecord> Register(ServiceInfo info, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>The stored service, or null when it is not registered.</summary>
    [Alias("Get")]
    Task<ServiceRecord?> Get(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the service and stops the instances it allocated (their containers are removed; gateways holding a route
    /// then fail to connect and resolve again, which answers 404); false when it was not registered.
    /// </summary>
    [Alias("Delete")]
    Task<bool> Delete(CancellationToken cancellationToken = default);

    /// <summary>
    /// The instance a request arriving at node <paramref name="fromNode"/> should use, started if needed. Rule (DESIGN.md
    /// "Resolution rule"): the live instance nearest by RTT that meets the soft requirement; else a new instance on the
    /// nearest allocator node that meets it; else the nearest instance, then node, within the hard requirement. Never
    /// above the hard requirement. Concurrent calls are serialized, so a cold service gets exactly one instance.
    /// Callers cache the answer briefly and resolve again when the instance stops answering.
    /// </summary>
    /// <param name="fromNode">Peer ID of the node the request arrived at; RTTs are measured from it (0 to itself).</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="NoInstanceWithinRequirementException">No instance or live allocator node is within the hard RTT requirement.</exception>
    /// <exception cref="InstanceStartException">Every node within the requirement failed to start the instance.</exception>
    /// <exception cref="KeyNotFoundException">The service is not registered.</exception>
    [Alias("Resolve")]
    Task<InstanceInfo> Resolve(string fromNode, CancellationToken ct = default);

    /// <summary>
    /// Instance <paramref name="instanceKey"/> deactivated (its container is gone); sent by the instance grain, best
    /// effort. Why it always interleaves: a dying instance must never wait behind a <see cref="Resolve"/> that is
    /// itself waiting on that instance.
    /// </summary>
    /// <param name="instanceKey">The instance grain's key, <c>{service}/{nodeId}/{ordinal}</c>.</param>
    /// <param name="ct">Cancels the call.</param>
    [Alias("InstanceGone"), AlwaysInterleave]
    Task InstanceGone(string instanceKey, CancellationToken ct = default);
}

/// <summary>The list of registered services (singleton key "services"), read from etcd, not from every grain.</summary>
[Alias("physarum.IServiceCatalogGrain")]
public interface IServiceCatalogGrain : IGrainWithStringKey
{
    /// <summary>The catalog's only key.</summary>
    public const string Key = "services";

    /// <summary>Every registered service, sorted by name.</summary>
    [Alias("List")]
    Task<IReadOnlyList<ServiceRecord>> List(CancellationToken cancellationToken = default);
}

/// <summary>An update lost a race with another writer. Why an exception: the caller must re-read and decide.</summary>
[GenerateSerializer, Alias("physarum.ServiceConflictException")]
public sealed class ServiceConflictException : Exception
{
    /// <summary>Creates the exception with a message naming the service and both versions.</summary>
    public ServiceConflictException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the storage conflict.</summary>
    public ServiceConflictException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The registry store (etcd) could not be reached or answered an error; nothing was written.</summary>
[GenerateSerializer, Alias("physarum.RegistryUnavailableException")]
public sealed class RegistryUnavailableException : Exception
{
    /// <summary>Creates the exception with a message naming the store and what to check.</summary>
    public RegistryUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the store's error.</summary>
    public RegistryUnavailableException(string message, Exception inner) : base(message, inner) { }
}
