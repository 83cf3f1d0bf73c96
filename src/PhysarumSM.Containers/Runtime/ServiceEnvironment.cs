namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// Names of the original environment contract between a node and the service it runs. Why constants: the image
/// defaults (BuildContext), the runtime and the tests must spell them identically.
/// </summary>
public static class ServiceEnvironment
{
    /// <summary>The port the service listens on inside the container.</summary>
    public const string ServicePort = "SERVICE_PORT";

    /// <summary>Address of this node's gateway as seen from inside the container (calls to other services go there).</summary>
    public const string ProxyIp = "PROXY_IP";

    /// <summary>Port of this node's gateway.</summary>
    public const string ProxyPort = "PROXY_PORT";

    /// <summary>The port the service may expose metrics on inside the container.</summary>
    public const string MetricsPort = "METRICS_PORT";

    /// <summary>Overlay bootstrap multiaddrs, space separated (as the original tools read them).</summary>
    public const string P2PBootstraps = "P2P_BOOTSTRAPS";

    /// <summary>The overlay's pre-shared key.</summary>
    public const string P2PPsk = "P2P_PSK";

    /// <summary>All six names, in the contract's order.</summary>
    public static IReadOnlyList<string> All { get; } = [ServicePort, ProxyIp, ProxyPort, MetricsPort, P2PBootstraps, P2PPsk];
}
