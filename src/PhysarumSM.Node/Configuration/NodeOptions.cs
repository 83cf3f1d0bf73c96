using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Configuration;

/// <summary>Everything a physarum-node is told on its command line. Defaults are the original's ports.</summary>
public sealed class NodeOptions
{
    public List<Multiaddr> Bootstraps { get; } = [];

    /// <summary>Private-network passphrase; never logged.</summary>
    public string? Psk { get; set; }

    public string P2pListenAddress { get; set; } = ":4001";

    public string PromListenAddress { get; set; } = ":9100";

    /// <summary>Label of this node in metrics (the original's -hostname).</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    public string KeyFile { get; set; } = Libp2p.Crypto.KeyFile.DefaultPath;

    public bool Ephemeral { get; set; }

    public bool Debug { get; set; }

    /// <summary>Redis HOST:PORT for Orleans membership across machines; null = localhost clustering.</summary>
    public string? Redis { get; set; }

    /// <summary>The silo address other machines reach (Redis clustering); null = the first non-loopback IPv4 of this machine.</summary>
    public string? AdvertiseIp { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silo endpoint of the first node on this machine (localhost clustering only; default 127.0.0.1:11111).</summary>
    public string? PrimarySilo { get; set; }

    /// <summary>Directory for this node's data (the etcd member's data lives below it).</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".physarum", "data");

    /// <summary>Start a new etcd cluster with this node as its first member (registry role).</summary>
    public bool NewEtcdCluster { get; set; }

    /// <summary>The address this node's etcd member listens on and advertises; set to run an etcd member.</summary>
    public string? EtcdIp { get; set; }

    public int EtcdClientPort { get; set; } = 2379;

    public int EtcdPeerPort { get; set; } = 2380;

    /// <summary>An etcd that is already running (comma separated URLs); no child etcd is started.</summary>
    public string? EtcdEndpoints { get; set; }

    /// <summary>An instance with no requests for this long is culled (the original's 60 s).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Run no service instances here even when a Docker engine is available.</summary>
    public bool NoAllocator { get; set; }

    /// <summary>How long a culled instance's container stays paused for reuse; zero removes it at once.</summary>
    public TimeSpan WarmPoolTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The HTTP gateway's address, [HOST]:PORT; containers reach it on the Docker bridge at the same port.</summary>
    public string ProxyListenAddress { get; set; } = "127.0.0.1:4200";

    /// <summary>The dashboard and admin API address, [HOST]:PORT, or "off" for none.</summary>
    public string AdminListenAddress { get; set; } = "127.0.0.1:8080";

    /// <summary>Bearer token the admin API's actions require; null = actions refused. Never logged.</summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// PKCS#12 (.pfx) file holding the cluster certificate and its private key; set = Orleans silo-to-silo and client
    /// connections use mutual TLS with it. Null = plaintext (loopback or a trusted network only).
    /// </summary>
    public string? ClusterCertificate { get; set; }

    /// <summary>Password of <see cref="ClusterCertificate"/>; null = none. Never logged.</summary>
    public string? ClusterCertificatePassword { get; set; }

    /// <summary>How long a gateway request waits for its instance to start before a 504.</summary>
    public TimeSpan ColdStartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many instances (warm-pool containers included) on this node.</summary>
    public int MaxInstances { get; set; } = 32;

    /// <summary>CPU cores offered to instances; null = every core.</summary>
    public double? Cpus { get; set; }

    /// <summary>Memory offered to instances in MiB; null = what the machine has.</summary>
    public long? MemoryMiB { get; set; }
}
