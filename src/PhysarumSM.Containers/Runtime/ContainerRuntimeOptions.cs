namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// Tunables of <see cref="ContainerRuntime"/>; bound from configuration (section "Containers"). Why options: tests,
/// benchmarks and slow machines need other readiness limits, and a node may publish its gateway elsewhere.
/// </summary>
public sealed class ContainerRuntimeOptions
{
    /// <summary>The conventional configuration section name.</summary>
    public const string SectionName = "Containers";

    /// <summary>The default <see cref="HostAddress"/>.</summary>
    public const string DefaultHostAddress = "127.0.0.1";

    /// <summary>How long <see cref="ContainerRuntime.WaitReadyAsync(RunningContainer, TimeSpan?, CancellationToken)"/> waits for a first HTTP answer by default.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Pause between readiness probes. Default 10 ms: a refused loopback connect costs microseconds, and every interval
    /// is added, half on average, to a cold start (measured by bench coldstart: 50 ms cost ~20 ms per start).
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Limit of one readiness probe (a paused or stuck server accepts the connection but never answers).</summary>
    public TimeSpan ProbeRequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Grace between SIGTERM and SIGKILL on stop (the engine's init forwards SIGTERM to the service).</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many log lines error messages carry.</summary>
    public int ErrorLogLines { get; set; } = 20;

    /// <summary>Host address service ports are published on; loopback, because only this node's gateway talks to its instances.</summary>
    public string HostAddress { get; set; } = DefaultHostAddress;

    /// <summary>
    /// Send an instance's traffic to the container's own address on <see cref="Network"/> when this host reaches it,
    /// rather than to its published port (see <see cref="ContainerRuntime.DataEndpointAsync"/>). Default on; off keeps
    /// every byte on the published port (the engine's userland proxy).
    /// </summary>
    public bool DirectNetworkPath { get; set; } = true;

    /// <summary>How long the one connect that decides <see cref="DirectNetworkPath"/> for a container may take.</summary>
    public TimeSpan DirectNetworkProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Docker network the containers join; its gateway address is the default PROXY_IP.</summary>
    public string Network { get; set; } = "bridge";

    /// <summary>PROXY_IP for every container when set (e.g. when the gateway listens elsewhere); null = the gateway of <see cref="Network"/>.</summary>
    public string? GatewayAddress { get; set; }

    /// <summary>
    /// How long pulling a missing image from its registry may take before it fails. Default 5 min. Why longer than an
    /// instance's activation: the pull outlives the start that asked for it, so a large image still arrives and the next
    /// start on this node finds it (or joins the pull) instead of starting over.
    /// </summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The directory whose <c>config.json</c> holds the registry logins pulls use (what <c>docker login</c> writes); null =
    /// <c>$DOCKER_CONFIG</c>, else <c>~/.docker</c> of the node's user. Registries it has no login for are pulled from anonymously.
    /// </summary>
    public string? DockerConfigDirectory { get; set; }
}
