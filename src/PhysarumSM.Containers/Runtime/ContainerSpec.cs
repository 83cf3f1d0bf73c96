namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// What to run for one service instance: image, identity (labels), the environment contract and resource limits.
/// Why one record: the instance grain builds it from the registry's ServiceInfo and the node's settings, and the
/// runtime turns it into exactly one container.
/// </summary>
public sealed record ContainerSpec
{
    /// <summary>Image reference to run (an image id, name:tag or repo@digest); when it is not in the engine, only a reference naming a registry host (host:5000/name…) is pulled.</summary>
    public required string Image { get; init; }

    /// <summary>Service name (label <see cref="ContainerLabels.Service"/>).</summary>
    public required string ServiceName { get; init; }

    /// <summary>Instance id, e.g. the instance grain key "{service}/{nodeId}/{ordinal}" (label <see cref="ContainerLabels.Instance"/>).</summary>
    public required string InstanceId { get; init; }

    /// <summary>Id of the node running the container (label <see cref="ContainerLabels.Node"/>).</summary>
    public required string NodeId { get; init; }

    /// <summary>The port the service listens on inside the container (SERVICE_PORT); published on the host's loopback.</summary>
    public int ServicePort { get; init; } = 8080;

    /// <summary>Host port to publish <see cref="ServicePort"/> on (on <see cref="ContainerRuntimeOptions.HostAddress"/>); 0 = the engine picks a free one.</summary>
    public int HostPort { get; init; }

    /// <summary>PROXY_IP: the node's gateway address as seen from the container; null = <see cref="ContainerRuntime.GetGatewayAddressAsync"/> (the bridge network's gateway).</summary>
    public string? ProxyIp { get; init; }

    /// <summary>PROXY_PORT: the port of the node's gateway.</summary>
    public int ProxyPort { get; init; }

    /// <summary>METRICS_PORT: the port the service may serve metrics on inside the container; 0 = leave the image's default.</summary>
    public int MetricsPort { get; init; }

    /// <summary>P2P_BOOTSTRAPS: overlay bootstrap multiaddrs, passed space separated.</summary>
    public IReadOnlyList<string> Bootstraps { get; init; } = [];

    /// <summary>P2P_PSK: the overlay's pre-shared key; empty = none.</summary>
    public string Psk { get; init; } = "";

    /// <summary>CPU limit in cores (ServiceInfo.CpuReq, e.g. 0.5 = half a core; becomes NanoCPUs); 0 = no limit.</summary>
    public double CpuCores { get; init; }

    /// <summary>Memory limit in MiB (ServiceInfo.MemoryReq; becomes the memory limit in bytes, swap included); 0 = no limit.</summary>
    public long MemoryMiB { get; init; }

    /// <summary>Extra environment variables; they must not repeat one of <see cref="ServiceEnvironment.All"/>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra labels (e.g. a test run's marker); they must not repeat one of the physarum.* identity labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Command replacing the image's CMD (exec form); null = the image's own.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>
    /// Why not the record's own printing: it would put P2P_PSK (and the extra environment, which may hold secrets too)
    /// into any log line or message that formats a spec. Names the container and its limits only.
    /// </summary>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"ContainerSpec {{ Image = {Image}, ServiceName = {ServiceName}, InstanceId = {InstanceId}, NodeId = {NodeId}, ServicePort = {ServicePort}, CpuCores = {CpuCores}, MemoryMiB = {MemoryMiB}, Psk = {(Psk.Length == 0 ? "none" : "(set, not shown)")} }}");

    /// <summary>Returns an error message, or null when the spec can be run.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Image))
        {
            return "the container spec has no image";
        }

        if (string.IsNullOrWhiteSpace(ServiceName) || string.IsNullOrWhiteSpace(InstanceId) || string.IsNullOrWhiteSpace(NodeId))
        {
            return $"the container spec for {Image} needs a service name, an instance id and a node id";
        }

        if (ServicePort is < 1 or > 65535 || HostPort is < 0 or > 65535 || ProxyPort is < 0 or > 65535 || MetricsPort is < 0 or > 65535)
        {
            return $"instance {InstanceId}: ports must be within 1..65535 (HostPort, ProxyPort and MetricsPort may be 0)";
        }

        if (double.IsNaN(CpuCores) || CpuCores < 0 || MemoryMiB < 0)
        {
            return $"instance {InstanceId}: CPU (cores) and memory (MiB) limits must not be negative";
        }

        if (MemoryMiB is > 0 and < ContainerRuntime.MinimumMemoryMiB)
        {
            return $"instance {InstanceId}: the engine needs at least {ContainerRuntime.MinimumMemoryMiB} MiB of memory, {MemoryMiB} MiB asked";
        }

        if (Environment.Keys.FirstOrDefault(key => ServiceEnvironment.All.Contains(key, StringComparer.Ordinal)) is { } env)
        {
            return $"instance {InstanceId}: {env} is set by the runtime from the spec's own properties, not through Environment";
        }

        if (Labels.Keys.FirstOrDefault(key => key is ContainerLabels.Service or ContainerLabels.Instance or ContainerLabels.Node or ContainerLabels.ServicePort) is { } label)
        {
            return $"instance {InstanceId}: label {label} is set by the runtime from the spec's identity";
        }

        return null;
    }
}
