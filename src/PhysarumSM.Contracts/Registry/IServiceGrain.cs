namespace PhysarumSM.Contracts.Registry;

/// <summary>One registered service (key = service name); state persisted in etcd. Later issues add Resolve.</summary>
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

    /// <summary>Removes the service; false when it was not registered.</summary>
    [Alias("Delete")]
    Task<bool> Delete(CancellationToken cancellationToken = default);
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
