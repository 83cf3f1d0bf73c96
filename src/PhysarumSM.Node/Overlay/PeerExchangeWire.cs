using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Protocols;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Wire format of <c>/physarum/peers/1.0.0</c>. The opener writes one request frame, the responder one
/// answer frame and half-closes; a frame is a uvarint length and a protobuf:
/// <code>
/// message Request { uint32 max_peers = 1; }             // 0 or absent: the responder's own limit
/// message Answer  { repeated Peer peers = 1; }
/// message Peer    { bytes id = 1; repeated bytes addrs = 2; }  // peer ID multihash, binary multiaddrs
/// </code>
/// Why protobuf with uvarint framing: it is how identify and every other libp2p protocol frames messages,
/// so the same reader and the same limits apply. Unknown fields are skipped for forward compatibility.
/// </summary>
public static class PeerExchangeWire
{
    /// <summary>Largest request accepted (a request holds one small varint).</summary>
    public const int MaxRequestBytes = 64;

    private const int RequestMaxPeersField = 1;
    private const int AnswerPeerField = 1;
    private const int PeerIdField = 1;
    private const int PeerAddressField = 2;

    /// <summary>Encodes a request for at most <paramref name="maxPeers"/> peers.</summary>
    public static byte[] EncodeRequest(int maxPeers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPeers);
        var writer = new ProtoWriter();
        writer.WriteVarint(RequestMaxPeersField, (ulong)maxPeers);
        return writer.ToArray();
    }

    /// <summary>The number of peers asked for (0 = no preference).</summary>
    /// <exception cref="FormatException">Malformed protobuf.</exception>
    public static int DecodeRequest(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        ulong maxPeers = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == RequestMaxPeersField)
            {
                reader.Expect(field, wireType, WireType.Varint);
                maxPeers = reader.ReadVarint();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return (int)Math.Min(maxPeers, int.MaxValue);
    }

    /// <summary>
    /// Encodes an answer; peers that would push it past <paramref name="maxBytes"/> are left out, so the
    /// message always fits the receiver's limit.
    /// </summary>
    public static byte[] EncodeAnswer(IEnumerable<PeerAdvert> peers, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var answer = new ProtoWriter();
        var entry = new ProtoWriter();
        foreach (var peer in peers)
        {
            entry.Clear();
            entry.WriteBytes(PeerIdField, peer.Peer.Bytes.Span);
            foreach (var address in peer.Addresses)
            {
                entry.WriteBytes(PeerAddressField, address.AsSpan());
            }

            // tag (1 byte) + length varint + entry
            var size = 1 + Varint.GetLength((ulong)entry.Length) + entry.Length;
            if (answer.Length + size > maxBytes)
            {
                break;
            }

            answer.WriteBytes(AnswerPeerField, entry.WrittenSpan);
        }

        return answer.ToArray();
    }

    /// <summary>
    /// Decodes an answer. A broken protobuf structure fails the whole message; an entry with an invalid
    /// peer ID, an address we cannot parse, and anything past the limits are skipped and counted.
    /// </summary>
    /// <exception cref="FormatException">The message is not a well-formed answer.</exception>
    public static PeerExchangeAnswer DecodeAnswer(ReadOnlySpan<byte> message, int maxPeers, int maxAddressesPerPeer)
    {
        var reader = new ProtoReader(message);
        var peers = new List<PeerAdvert>();
        int skippedPeers = 0, skippedAddresses = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field != AnswerPeerField)
            {
                reader.Skip(wireType);
                continue;
            }

            reader.Expect(field, wireType, WireType.LengthDelimited);
            var entry = reader.ReadBytes();
            if (peers.Count >= maxPeers)
            {
                skippedPeers++;
                continue;
            }

            var advert = DecodePeer(entry, maxAddressesPerPeer, ref skippedAddresses);
            if (advert is null)
            {
                skippedPeers++;
            }
            else
            {
                peers.Add(advert);
            }
        }

        return new PeerExchangeAnswer(peers, skippedPeers, skippedAddresses);
    }

    /// <summary>Writes one uvarint-length-prefixed frame.</summary>
    public static Task WriteFrameAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        LengthPrefixedMessage.WriteAsync(stream, message, cancellationToken);

    /// <summary>Reads one frame of at most <paramref name="maxBytes"/>; the length is checked before anything is allocated.</summary>
    /// <exception cref="PeerExchangeException">Bad prefix, oversized frame, or the stream ended early.</exception>
    public static async Task<byte[]> ReadFrameAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await LengthPrefixedMessage.ReadAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Libp2pProtocolException ex)
        {
            throw new PeerExchangeException($"peer exchange: {ex.Message}", ex);
        }
    }

    private static PeerAdvert? DecodePeer(ReadOnlySpan<byte> entry, int maxAddresses, ref int skippedAddresses)
    {
        var reader = new ProtoReader(entry);
        PeerId? peer = null;
        var valid = true;
        var addresses = new List<Multiaddr>();
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case PeerIdField:
                    reader.Expect(field, wireType, WireType.LengthDelimited);
                    if (peer is not null || !PeerId.TryFromBytes(reader.ReadBytes(), out peer))
                    {
                        valid = false; // missing-or-twice: an entry whose identity is unclear is dropped
                    }

                    break;
                case PeerAddressField:
                    reader.Expect(field, wireType, WireType.LengthDelimited);
                    var bytes = reader.ReadBytes();
                    if (addresses.Count < maxAddresses && Multiaddr.TryFromBytes(bytes, out var address) && address.PeerId is null)
                    {
                        if (!addresses.Contains(address))
                        {
                            addresses.Add(address);
                        }
                    }
                    else
                    {
                        skippedAddresses++;
                    }

                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return valid && peer is not null ? new PeerAdvert(peer, addresses) : null;
    }
}
