using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;

namespace PhysarumSM.Grains.Instances;

/// <summary>
/// How this node runs service instances: idle culling, readiness, and the environment contract given to containers;
/// bound from configuration section <see cref="SectionName"/>. Why options: the node maps its flags here, tests shorten the timeouts.
/// </summary>
public sealed class AllocatorOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Physarum:Allocator";

    /// <summary>An instance with no request (no Touch, RecordRequests or EnsureStarted) for this long is culled. Default 60 s, as the original.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a new container may take to answer HTTP. Default 20 s: it must stay below Orleans' activation timeout
    /// (GrainCollectionOptions.ActivationTimeout, 30 s) and the callers' response timeout, or callers give up first.
    /// </summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>SERVICE_PORT: the port every service listens on inside its container (the registry does not record one). Default 8080.</summary>
    public int ServicePort { get; set; } = 8080;

    /// <summary>PROXY_IP: this node's gateway as seen from containers; null = the Docker bridge's gateway address.</summary>
    public string? ProxyIp { get; set; }

    /// <summary>PROXY_PORT: this node's gateway port. Default 4200, as the original.</summary>
    public int ProxyPort { get; set; } = 4200;

    /// <summary>METRICS_PORT given to containers; 0 = not set.</summary>
    public int MetricsPort { get; set; }

    /// <summary>P2P_BOOTSTRAPS given to containers: the overlay's bootstrap multiaddrs.</summary>
    public IList<string> Bootstraps { get; set; } = [];

    /// <summary>P2P_PSK given to containers: the overlay's pre-shared key; empty = none.</summary>
    public string Psk { get; set; } = "";

    /// <summary>Extra labels on every container (e.g. a test run's marker); not the physarum.* identity labels.</summary>
    public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How many instances this node runs at most, whatever their size. Default 32.</summary>
    public int MaxInstances { get; set; } = 32;

    /// <summary>CPU cores offered to instances; null = every core of the machine (<see cref="Environment.ProcessorCount"/>).</summary>
    public double? CpuCores { get; set; }

    /// <summary>Memory offered to instances, in MiB; null = the memory the runtime sees as available to this process (the machine's, or the container limit).</summary>
    public long? MemoryMiB { get; set; }

    /// <summary>
    /// How long an idle-culled instance's container stays paused for the next instance of its service on this node;
    /// zero removes it at once. Default 5 min. Why pause: unpausing answers far sooner than running a new container.
    /// </summary>
    public TimeSpan WarmPoolTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the Docker engine is, used when no <c>IDockerClient</c> is registered in the silo's services.</summary>
    public DockerEngineOptions Engine { get; set; } = new();

    /// <summary>The container runtime's tunables (probe interval, stop grace, network, loopback address).</summary>
    public ContainerRuntimeOptions Runtime { get; set; } = new();

    /// <summary>How often an instance checks whether it has been idle too long: a quarter of <see cref="IdleTimeout"/>, between 50 ms and 5 s.</summary>
    internal TimeSpan IdleCheckInterval =>
        TimeSpan.FromTicks(Math.Clamp(IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
}
