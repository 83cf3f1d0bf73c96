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

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silo endpoint of the first node on this machine (localhost clustering only; default 127.0.0.1:11111).</summary>
    public string? PrimarySilo { get; set; }
}
