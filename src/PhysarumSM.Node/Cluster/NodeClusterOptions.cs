using System.Security.Cryptography.X509Certificates;

namespace PhysarumSM.Node.Cluster;

/// <summary>
/// How this node's silo joins the Orleans cluster: localhost clustering when <see cref="RedisConnectionString"/> is
/// empty (one machine, possibly several node processes), Redis membership otherwise (many machines).
/// Bound from configuration section <see cref="SectionName"/> and the node's flags.
/// </summary>
public sealed class NodeClusterOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Physarum:Cluster";

    /// <summary>Groups the silos that form one cluster; nodes with different ids never see each other. Default "physarum".</summary>
    public string ClusterId { get; set; } = "physarum";

    /// <summary>Stable name of the application across deployments (providers put it in storage keys). Default "physarum".</summary>
    public string ServiceId { get; set; } = "physarum";

    /// <summary>TCP port for silo-to-silo traffic. Default 11111; each node process on one machine needs its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>TCP port Orleans clients connect to. Default 30000; each node process on one machine needs its own.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The IP address or host name other silos reach this one at (Redis clustering only). Empty: the first non-loopback
    /// IPv4 address of an interface that is up. Localhost clustering always uses 127.0.0.1.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// HOST:PORT of the primary silo's silo endpoint (localhost clustering only), for a second or later node process on
    /// the same machine. Empty: this silo is the primary and points at itself.
    /// </summary>
    public string? PrimarySiloEndpoint { get; set; }

    /// <summary>
    /// Redis for the membership table: HOST:PORT (the <c>-redis</c> flag), optionally followed by StackExchange.Redis
    /// options such as <c>,password=...</c>. Empty: localhost clustering.
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// The cluster certificate with its private key (the node's <c>-cluster-cert</c>): set, every silo-to-silo and
    /// gateway connection uses mutual TLS and accepts only peers presenting this certificate. Null: plaintext. Not bound
    /// from configuration (it is a loaded certificate, not a value).
    /// </summary>
    public X509Certificate2? Certificate { get; set; }
}
