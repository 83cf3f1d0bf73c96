using System.Collections.Frozen;

namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// One multiaddr protocol (name, multicodec, value size). Why a closed set: an address with an unknown
/// protocol cannot be interpreted safely, so parsing rejects it with a clear message.
/// </summary>
public sealed class MultiaddrProtocol
{
    /// <summary><see cref="Size"/> of a value carried as <c>varint(length) ‖ bytes</c>.</summary>
    public const int VariableSize = -1;

    private MultiaddrProtocol(string name, int code, int size)
    {
        Name = name;
        Code = code;
        Size = size;
    }

    /// <summary>Text name, e.g. "ip4".</summary>
    public string Name { get; }

    /// <summary>Multicodec (binary code).</summary>
    public int Code { get; }

    /// <summary>Value size in bytes: 0 = no value, &gt; 0 = fixed, <see cref="VariableSize"/> = length-prefixed.</summary>
    public int Size { get; }

    public static MultiaddrProtocol Ip4 { get; } = new("ip4", 0x04, 4);
    public static MultiaddrProtocol Tcp { get; } = new("tcp", 0x06, 2);
    public static MultiaddrProtocol Ip6 { get; } = new("ip6", 0x29, 16);
    public static MultiaddrProtocol Ip6Zone { get; } = new("ip6zone", 0x2a, VariableSize);
    public static MultiaddrProtocol Dns { get; } = new("dns", 0x35, VariableSize);
    public static MultiaddrProtocol Dns4 { get; } = new("dns4", 0x36, VariableSize);
    public static MultiaddrProtocol Dns6 { get; } = new("dns6", 0x37, VariableSize);
    public static MultiaddrProtocol DnsAddr { get; } = new("dnsaddr", 0x38, VariableSize);
    public static MultiaddrProtocol Udp { get; } = new("udp", 0x0111, 2);
    public static MultiaddrProtocol WebRtcDirect { get; } = new("webrtc-direct", 0x0118, 0);
    public static MultiaddrProtocol WebRtc { get; } = new("webrtc", 0x0119, 0);
    public static MultiaddrProtocol P2pCircuit { get; } = new("p2p-circuit", 0x0122, 0);
    public static MultiaddrProtocol P2p { get; } = new("p2p", 0x01a5, VariableSize);
    public static MultiaddrProtocol Tls { get; } = new("tls", 0x01c0, 0);
    public static MultiaddrProtocol Noise { get; } = new("noise", 0x01c6, 0);
    public static MultiaddrProtocol Quic { get; } = new("quic", 0x01cc, 0);
    public static MultiaddrProtocol QuicV1 { get; } = new("quic-v1", 0x01cd, 0);
    public static MultiaddrProtocol WebTransport { get; } = new("webtransport", 0x01d1, 0);
    public static MultiaddrProtocol Ws { get; } = new("ws", 0x01dd, 0);
    public static MultiaddrProtocol Wss { get; } = new("wss", 0x01de, 0);

    /// <summary>Every protocol this implementation understands.</summary>
    public static IReadOnlyList<MultiaddrProtocol> All { get; } =
    [
        Ip4, Tcp, Ip6, Ip6Zone, Dns, Dns4, Dns6, DnsAddr, Udp, WebRtcDirect, WebRtc, P2pCircuit, P2p,
        Tls, Noise, Quic, QuicV1, WebTransport, Ws, Wss,
    ];

    private static readonly FrozenDictionary<string, MultiaddrProtocol> ByName =
        All.Select(p => KeyValuePair.Create(p.Name, p))
           .Append(KeyValuePair.Create("ipfs", P2p)) // legacy name of the same code
           .ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<int, MultiaddrProtocol> ByCode = All.ToFrozenDictionary(p => p.Code);

    /// <summary>Looks a protocol up by text name ("ipfs" maps to <see cref="P2p"/>).</summary>
    public static bool TryGetByName(ReadOnlySpan<char> name, out MultiaddrProtocol protocol) =>
        ByName.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out protocol!);

    /// <summary>Looks a protocol up by multicodec.</summary>
    public static bool TryGetByCode(ulong code, out MultiaddrProtocol protocol)
    {
        if (code <= int.MaxValue && ByCode.TryGetValue((int)code, out var found))
        {
            protocol = found;
            return true;
        }
        protocol = null!;
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
