using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Libp2p.Protocols.Identify;

/// <summary>The identify protobuf (fields 1-6; 8, the signed record, is neither sent nor required).</summary>
internal static class IdentifyMessage
{
    public static byte[] Encode(IdentifyInfo info)
    {
        var writer = new ProtoWriter();
        if (info.PublicKey is not null)
        {
            writer.WriteBytes(1, info.PublicKey.ToProtobuf());
        }

        foreach (var address in info.ListenAddresses)
        {
            writer.WriteBytes(2, address.WithoutPeerId().ToBytes());
        }

        foreach (var protocol in info.Protocols)
        {
            writer.WriteString(3, protocol);
        }

        if (info.ObservedAddress is not null)
        {
            writer.WriteBytes(4, info.ObservedAddress.ToBytes());
        }

        if (info.ProtocolVersion is not null)
        {
            writer.WriteString(5, info.ProtocolVersion);
        }

        if (info.AgentVersion is not null)
        {
            writer.WriteString(6, info.AgentVersion);
        }

        return writer.ToArray();
    }

    /// <summary>
    /// Decodes one message and merges it over <paramref name="previous"/> (repeated fields append, scalars
    /// override). Addresses we cannot parse (e.g. QUIC or WebSocket from other peers) are skipped, not fatal.
    /// </summary>
    public static IdentifyInfo Decode(ReadOnlySpan<byte> message, IdentifyInfo? previous)
    {
        var publicKey = previous?.PublicKey;
        var listen = new List<Multiaddr>(previous?.ListenAddresses ?? []);
        var protocols = new List<string>(previous?.Protocols ?? []);
        var observed = previous?.ObservedAddress;
        var protocolVersion = previous?.ProtocolVersion;
        var agentVersion = previous?.AgentVersion;

        var reader = new ProtoReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (wireType != WireType.LengthDelimited)
            {
                reader.Skip(wireType);
                continue;
            }

            switch (field)
            {
                case 1:
                    publicKey = PublicKey.FromProtobuf(reader.ReadBytes());
                    break;
                case 2:
                    if (Multiaddr.TryFromBytes(reader.ReadBytes(), out var address) && listen.Count < PeerStore.MaxAddressesPerPeer)
                    {
                        listen.Add(address!);
                    }

                    break;
                case 3:
                    if (protocols.Count < MaxProtocols)
                    {
                        protocols.Add(reader.ReadString());
                    }
                    else
                    {
                        reader.Skip(wireType);
                    }

                    break;
                case 4:
                    observed = Multiaddr.TryFromBytes(reader.ReadBytes(), out var seen) ? seen : observed;
                    break;
                case 5:
                    protocolVersion = reader.ReadString();
                    break;
                case 6:
                    agentVersion = reader.ReadString();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new IdentifyInfo(publicKey, listen, protocols, observed, protocolVersion, agentVersion);
    }

    /// <summary>Bounds what one peer can make us store.</summary>
    private const int MaxProtocols = 256;
}
