using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Grains.Registry;

/// <summary>
/// What etcd holds for one service (as JSON at <c>/physarum/services/&lt;name&gt;</c>); the version is the key's
/// mod revision, so it is not stored.
/// </summary>
internal sealed class ServiceState
{
    /// <summary>The registered service; null only in the empty state of an unregistered name.</summary>
    public ServiceInfo? Info { get; set; }

    /// <summary>When the service was first registered.</summary>
    public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>When the service was last written.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The record callers see, at <paramref name="version"/>; null when nothing is registered.</summary>
    public ServiceRecord? ToRecord(long version) => Info is null
        ? null
        : new ServiceRecord { Info = Info, Version = version, RegisteredAt = RegisteredAt, UpdatedAt = UpdatedAt };
}
