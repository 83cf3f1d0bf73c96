using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Peers we could dial, with their addresses and per-peer backoff. Why bounded everywhere: entries come
/// from other peers' answers, so neither the number of peers nor of addresses may grow without limit.
/// </summary>
internal sealed class MeshCandidates(int maxCandidates, int maxAddressesPerPeer)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PeerId, Entry> _entries = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Adds or refreshes a peer; the newest addresses go first and the oldest fall off. When full, the
    /// most-failed idle entry makes room, or the newcomer is dropped if every entry is healthy.
    /// </summary>
    public void Learn(PeerId peer, IReadOnlyList<Multiaddr> addresses)
    {
        if (addresses.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (!_entries.TryGetValue(peer, out var entry))
            {
                if (_entries.Count >= maxCandidates && !TryEvict())
                {
                    return;
                }

                entry = new Entry();
                _entries[peer] = entry;
            }

            for (var i = addresses.Count - 1; i >= 0; i--)
            {
                entry.Addresses.Remove(addresses[i]);
                entry.Addresses.Insert(0, addresses[i]);
            }

            if (entry.Addresses.Count > maxAddressesPerPeer)
            {
                entry.Addresses.RemoveRange(maxAddressesPerPeer, entry.Addresses.Count - maxAddressesPerPeer);
            }
        }
    }

    /// <summary>Marks up to <paramref name="max"/> due peers as being dialled and returns them, longest-waiting first.</summary>
    public IReadOnlyList<(PeerId Peer, Multiaddr[] Addresses)> TakeDue(DateTimeOffset now, int max, Func<PeerId, bool> skip)
    {
        lock (_gate)
        {
            var due = _entries
                .Where(e => !e.Value.Dialling && e.Value.NextAttempt <= now && !skip(e.Key))
                .OrderBy(e => e.Value.NextAttempt)
                .Take(max)
                .ToArray();
            foreach (var (_, entry) in due)
            {
                entry.Dialling = true;
            }

            return due.Select(e => (e.Key, e.Value.Addresses.ToArray())).ToArray();
        }
    }

    /// <summary>The peer is connected (by our dial or theirs): forget its failures.</summary>
    public void Connected(PeerId peer)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(peer, out var entry))
            {
                entry.Failures = 0;
            }
        }
    }

    /// <summary>The dial taken by <see cref="TakeDue"/> has ended (whatever its outcome).</summary>
    public void Release(PeerId peer)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(peer, out var entry))
            {
                entry.Dialling = false;
            }
        }
    }

    /// <summary>A dial failed: schedules the next one after the backoff, or forgets the peer after too many failures.</summary>
    /// <returns>The failures in a row and the wait, or (failures, null) when the peer was forgotten.</returns>
    public (int Failures, TimeSpan? Delay) Failed(PeerId peer, DateTimeOffset now, TimeSpan initial, TimeSpan cap, int forgetAfter)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(peer, out var entry))
            {
                return (0, null);
            }

            entry.Failures++;
            if (entry.Failures >= forgetAfter)
            {
                _entries.Remove(peer);
                return (entry.Failures, null);
            }

            var delay = ExponentialBackoff.Delay(initial, entry.Failures - 1, cap);
            entry.NextAttempt = now + delay;
            return (entry.Failures, delay);
        }
    }

    /// <summary>No dial happens before <paramref name="notBefore"/> (e.g. a peer that just left).</summary>
    public void Defer(PeerId peer, DateTimeOffset notBefore)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(peer, out var entry) && entry.NextAttempt < notBefore)
            {
                entry.NextAttempt = notBefore;
            }
        }
    }

    private bool TryEvict()
    {
        var victim = _entries.Where(e => !e.Value.Dialling && e.Value.Failures > 0).MaxBy(e => e.Value.Failures);
        return victim.Key is not null && _entries.Remove(victim.Key);
    }

    private sealed class Entry
    {
        public List<Multiaddr> Addresses { get; } = [];

        public int Failures { get; set; }

        public DateTimeOffset NextAttempt { get; set; } = DateTimeOffset.MinValue;

        public bool Dialling { get; set; }
    }
}
