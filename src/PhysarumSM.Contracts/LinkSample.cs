namespace PhysarumSM.Contracts;

/// <summary>
/// The latest RTT figures of one directed link as measured by the ping monitor of <see cref="From"/>; a batch of these is
/// what a node reports every few seconds (never one call per ping).
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.LinkSample")]
public sealed record LinkSample
{
    /// <summary>Peer ID of the measuring node (the pinger).</summary>
    [Id(0)]
    public required string From { get; init; }

    /// <summary>Peer ID of the measured peer (the ponger).</summary>
    [Id(1)]
    public required string To { get; init; }

    /// <summary>RTT of the last successful ping in milliseconds (the original's <c>ping_rtt</c>).</summary>
    [Id(2)]
    public double LastRttMs { get; init; }

    /// <summary>Exponentially weighted moving average RTT in milliseconds (the original's <c>ping_ewma_rtt</c>); what routing ranks by.</summary>
    [Id(3)]
    public double EwmaRttMs { get; init; }

    /// <summary>How many pings the averages are built from, so a reader can tell a first guess from a settled figure.</summary>
    [Id(4)]
    public long SampleCount { get; init; }

    /// <summary>When the last ping succeeded (the measuring node's clock); older samples never overwrite newer ones.</summary>
    [Id(5)]
    public DateTimeOffset SeenAt { get; init; }

    /// <summary>The key of the <see cref="IPeerLinkGrain"/> this sample belongs to.</summary>
    public PeerLinkKey Key => new(From, To);
}
