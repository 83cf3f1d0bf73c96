using PhysarumSM.Registry.Client;

namespace PhysarumSM.Registry.Cluster;

/// <summary>
/// How this node runs its own etcd member (node role <c>registry</c>); bound from <see cref="SectionName"/>.
/// Flags: <c>-new-etcd-cluster</c> → <see cref="NewCluster"/>, <c>-etcd-ip</c> → <see cref="Ip"/>,
/// <c>-etcd-client-port</c> / <c>-etcd-peer-port</c> → the ports; the node's data directory → <see cref="DataDirectory"/>.
/// </summary>
public sealed class EtcdMemberOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Physarum:Registry:Member";

    /// <summary>etcd's default client port, as the original.</summary>
    public const int DefaultClientPort = 2379;

    /// <summary>etcd's default peer port, as the original.</summary>
    public const int DefaultPeerPort = 2380;

    /// <summary>The member's name in the etcd cluster; unique per cluster. Default: the machine name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The address etcd listens on and advertises to clients and peers (<c>-etcd-ip</c>). Required.</summary>
    public string Ip { get; set; } = "";

    /// <summary>Client port (<c>-etcd-client-port</c>). Default 2379.</summary>
    public int ClientPort { get; set; } = DefaultClientPort;

    /// <summary>Peer port (<c>-etcd-peer-port</c>). Default 2380.</summary>
    public int PeerPort { get; set; } = DefaultPeerPort;

    /// <summary>The node's data directory; etcd keeps its data in <c>etcd/</c> under it, which survives restarts.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// True (<c>-new-etcd-cluster</c>): the member founds a new cluster. False: it asks an existing member to add it
    /// (through <see cref="IEtcdMemberJoiner"/>) and starts with initial-cluster-state <c>existing</c>. Ignored once
    /// the data directory holds a member: a restart always resumes from its data.
    /// </summary>
    public bool NewCluster { get; set; }

    /// <summary>The etcd executable; null = search PATH (then /usr/bin, /usr/sbin, /usr/local/bin).</summary>
    public string? ExecutablePath { get; set; }

    /// <summary>The initial-cluster-token of a new cluster. Default "physarum".</summary>
    public string ClusterToken { get; set; } = "physarum";

    /// <summary>How long a start may take until etcd reports healthy (a joining member waits for its cluster). Default 60 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long etcd gets to exit after SIGTERM before it is killed. Default 10 s.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First delay before restarting an etcd that died; doubles per quick death. Default 1 s.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between restarts. Default 30 s.</summary>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The client URL this member advertises (<c>http://IP:CLIENT-PORT</c>): the storage's endpoint on this node.</summary>
    public string ClientUrl => EtcdEndpoints.Url(Ip, ClientPort);

    /// <summary>The peer URL this member advertises (<c>http://IP:PEER-PORT</c>).</summary>
    public string PeerUrl => EtcdEndpoints.Url(Ip, PeerPort);

    /// <summary>etcd's own data directory (<c>{DataDirectory}/etcd</c>).</summary>
    public string EtcdDataDirectory => Path.Combine(DataDirectory, "etcd");
}
