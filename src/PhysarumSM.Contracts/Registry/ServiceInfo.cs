namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// A registered service: the original registry's fields (ContentHash, DockerHash, NetworkSoftReq.RTT,
/// NetworkHardReq.RTT, CpuReq, MemoryReq). Why a record with units in the names' docs: the CLI, the
/// allocator and the gateway all read it, and they must agree on milliseconds, cores and MiB.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.ServiceInfo")]
public sealed record ServiceInfo
{
    /// <summary>The service name (the grain key and the first path segment at the gateway).</summary>
    [Id(0)]
    public required string Name { get; init; }

    /// <summary>Hash of the image content (sha256 of the saved image, or the user's --content-id).</summary>
    [Id(1)]
    public string ContentHash { get; init; } = "";

    /// <summary>Image reference to run: repo@digest after a push, else the local image id.</summary>
    [Id(2)]
    public required string DockerHash { get; init; }

    /// <summary>Preferred RTT between caller and instance, milliseconds (NetworkSoftReq.RTT); 0 = none.</summary>
    [Id(3)]
    public int SoftRttMs { get; init; }

    /// <summary>Maximum RTT between caller and instance, milliseconds (NetworkHardReq.RTT); 0 = none.</summary>
    [Id(4)]
    public int HardRttMs { get; init; }

    /// <summary>CPU limit of one instance in cores (e.g. 0.5); 0 = no limit.</summary>
    [Id(5)]
    public double CpuReq { get; init; }

    /// <summary>Memory limit of one instance in MiB; 0 = no limit.</summary>
    [Id(6)]
    public long MemoryReq { get; init; }

    /// <summary>Checks the invariants every writer must respect; returns an error message or null.</summary>
    public string? Validate()
    {
        if (!ServiceName.IsValid(Name, out var nameError))
        {
            return nameError;
        }

        if (string.IsNullOrWhiteSpace(DockerHash))
        {
            return $"service '{Name}' has no image (DockerHash)";
        }

        if (SoftRttMs < 0 || HardRttMs < 0 || CpuReq < 0 || MemoryReq < 0)
        {
            return $"service '{Name}': RTT, CPU and memory requirements must not be negative";
        }

        if (HardRttMs > 0 && SoftRttMs > HardRttMs)
        {
            return $"service '{Name}': the soft RTT requirement ({SoftRttMs} ms) is above the hard one ({HardRttMs} ms); the soft requirement must be the stricter (smaller) one";
        }

        return null;
    }
}

/// <summary>A stored service with its version: the etcd mod revision, so callers can update without losing writes.</summary>
[GenerateSerializer, Immutable, Alias("physarum.ServiceRecord")]
public sealed record ServiceRecord
{
    /// <summary>The service as registered.</summary>
    [Id(0)]
    public required ServiceInfo Info { get; init; }

    /// <summary>Changes on every write (etcd mod revision); pass it back to update only what you read.</summary>
    [Id(1)]
    public long Version { get; init; }

    /// <summary>When the service was first registered.</summary>
    [Id(2)]
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>When the service was last written.</summary>
    [Id(3)]
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Service names: what the gateway can route as a first path segment and etcd can hold as a key.</summary>
public static class ServiceName
{
    /// <summary>Longest accepted name.</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="name"/> can be registered; otherwise <paramref name="error"/> says why.</summary>
    public static bool IsValid(string? name, out string? error)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            || name is "." or ".." || !char.IsAsciiLetterOrDigit(name[0]))
        {
            error = $"service name '{name}' is not valid: use 1-{MaxLength} letters, digits, '-', '_' or '.', starting with a letter or digit";
            return false;
        }

        error = null;
        return true;
    }
}
