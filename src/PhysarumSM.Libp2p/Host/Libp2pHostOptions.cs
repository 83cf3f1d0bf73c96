using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Host;

/// <summary>Settings of a <see cref="Libp2pHost"/>. Why a mutable options class: it is bound from configuration like every Orleans/.NET options type.</summary>
public sealed class Libp2pHostOptions
{
    /// <summary>Multiaddrs to listen on, e.g. "/ip4/0.0.0.0/tcp/4001". Empty = dial only.</summary>
    public List<string> ListenAddresses { get; set; } = [];

    /// <summary>Private-network key; null = public libp2p (no pnet layer).</summary>
    public PreSharedKey? PreSharedKey { get; set; }

    /// <summary>Upper bound for protector + security + muxer negotiation of one connection (js uses 10 s inbound).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for negotiating the protocol of one stream.</summary>
    public TimeSpan StreamNegotiationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections (established or handshaking) beyond this are refused at accept.</summary>
    public int MaxConnections { get; set; } = 512;

    /// <summary>Inbound streams being negotiated or handled at once per connection; more are reset.</summary>
    public int MaxInboundStreamsPerConnection { get; set; } = 1024;

    /// <summary>Agent string sent in identify.</summary>
    public string AgentVersion { get; set; } = $"physarum/{typeof(Libp2pHostOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    /// <summary>Protocol version sent in identify (the value js and go use).</summary>
    public string ProtocolVersion { get; set; } = "ipfs/0.1.0";

    /// <summary>How long a superseded duplicate connection keeps serving its open streams before it is closed.</summary>
    public TimeSpan DuplicateConnectionGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Muxer settings (windows, stream limits, keepalive).</summary>
    public YamuxOptions Yamux { get; set; } = new();
}
