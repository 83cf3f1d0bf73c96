using System.Collections.Concurrent;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Host;

/// <summary>What the host knows about other peers: addresses to dial them at and what identify told us.</summary>
public sealed class PeerStore
{
    /// <summary>Bounds memory when peers advertise many addresses.</summary>
    public const int MaxAddressesPerPeer = 32;

    private readonly ConcurrentDictionary<PeerId, PeerRecord> _peers = new();

    /// <summary>All peers with any record.</summary>
    public IReadOnlyCollection<PeerId> Peers => _peers.Keys.ToArray();

    /// <summary>
    /// Adds dialable addresses (any /p2p suffix is removed), newest first. Why newest first and bounded: a peer
    /// that moved, or addresses gossiped wrongly, must not crowd out the ones that work now.
    /// </summary>
    public void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses)
    {
        var record = _peers.GetOrAdd(peer, static p => new PeerRecord(p));
        lock (record)
        {
            foreach (var address in addresses)
            {
                var bare = address.WithoutPeerId();
                record.Addresses.Remove(bare);
                record.Addresses.Insert(0, bare);
                if (record.Addresses.Count > MaxAddressesPerPeer)
                {
                    record.Addresses.RemoveAt(record.Addresses.Count - 1);
                }
            }
        }
    }

    /// <summary>Known addresses of <paramref name="peer"/>, without /p2p suffix.</summary>
    public IReadOnlyList<Multiaddr> GetAddresses(PeerId peer)
    {
        if (!_peers.TryGetValue(peer, out var record))
        {
            return [];
        }

        lock (record)
        {
            return record.Addresses.ToArray();
        }
    }

    /// <summary>The latest identify information of <paramref name="peer"/>, if any.</summary>
    public IdentifyInfo? GetIdentify(PeerId peer) => _peers.TryGetValue(peer, out var record) ? record.Identify : null;

    internal void SetIdentify(PeerId peer, IdentifyInfo info)
    {
        var record = _peers.GetOrAdd(peer, static p => new PeerRecord(p));
        record.Identify = info;
        AddAddresses(peer, info.ListenAddresses);
    }

    private sealed class PeerRecord(PeerId peer)
    {
        public PeerId Peer { get; } = peer;
        public List<Multiaddr> Addresses { get; } = [];
        public IdentifyInfo? Identify { get; set; }
    }
}

/// <summary>What a peer said about itself in identify.</summary>
public sealed record IdentifyInfo(
    PublicKey? PublicKey,
    IReadOnlyList<Multiaddr> ListenAddresses,
    IReadOnlyList<string> Protocols,
    Multiaddr? ObservedAddress,
    string? ProtocolVersion,
    string? AgentVersion);
