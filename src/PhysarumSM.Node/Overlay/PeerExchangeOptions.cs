namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Settings of <see cref="PeerExchange"/>. Why these bounds: a peer's answer is untrusted input, and the
/// mesh must stay bounded in connections, dials and memory however many peers are advertised.
/// </summary>
public sealed class PeerExchangeOptions
{
    /// <summary>How often every connected peer is asked again for its peers.</summary>
    public TimeSpan ExchangeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for one exchange (either side); a silent peer is given up on after this.</summary>
    public TimeSpan ExchangeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No new dials while this many peers are connected.</summary>
    public int MaxMeshPeers { get; set; } = 128;

    /// <summary>Peers in one answer; more are ignored (when answering, more are left out).</summary>
    public int MaxPeersPerAnswer { get; set; } = 64;

    /// <summary>Addresses per peer in one answer; more are ignored.</summary>
    public int MaxAddressesPerPeer { get; set; } = 8;

    /// <summary>Largest answer read or written, in bytes.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Learned peers kept as dial candidates; beyond this the most-failed one is forgotten.</summary>
    public int MaxCandidates { get; set; } = 1024;

    /// <summary>Dials running at once.</summary>
    public int MaxConcurrentDials { get; set; } = 8;

    /// <summary>Wait after a failed dial of a peer; doubled after each further failure.</summary>
    public TimeSpan DialBackoffInitial { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Cap of the per-peer dial wait.</summary>
    public TimeSpan DialBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A candidate that failed this many dials in a row is forgotten until someone advertises it again.</summary>
    public int ForgetAfterFailures { get; set; } = 12;

    /// <summary>How often due dials are looked for (new advertisements trigger a look at once).</summary>
    public TimeSpan DialCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ExchangeInterval, TimeSpan.Zero, nameof(ExchangeInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ExchangeTimeout, TimeSpan.Zero, nameof(ExchangeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DialCheckInterval, TimeSpan.Zero, nameof(DialCheckInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMeshPeers, nameof(MaxMeshPeers));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPeersPerAnswer, 1, nameof(MaxPeersPerAnswer));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAddressesPerPeer, 1, nameof(MaxAddressesPerPeer));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 64, nameof(MaxMessageBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCandidates, 1, nameof(MaxCandidates));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentDials, 1, nameof(MaxConcurrentDials));
        ArgumentOutOfRangeException.ThrowIfLessThan(DialBackoffInitial, TimeSpan.Zero, nameof(DialBackoffInitial));
        ArgumentOutOfRangeException.ThrowIfLessThan(DialBackoffMax, DialBackoffInitial, nameof(DialBackoffMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(ForgetAfterFailures, 1, nameof(ForgetAfterFailures));
    }
}
