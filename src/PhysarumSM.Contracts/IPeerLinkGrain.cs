using Orleans.Concurrency;

namespace PhysarumSM.Contracts;

/// <summary>
/// One directed link between two peers, keyed <c>{from}-&gt;{to}</c> (see <see cref="PeerLinkKey"/>): the latest RTT
/// figures the <c>from</c> node measured, for callers that need one link without reading the whole matrix.
/// </summary>
[Alias("physarum.IPeerLinkGrain")]
public interface IPeerLinkGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores a sample for this link. Returns false (and keeps the stored one) when the sample is older than what the
    /// grain has, so late or retried batches never roll figures back.
    /// </summary>
    /// <exception cref="ArgumentException">The sample's peers do not match the grain key, or its figures are negative or not finite.</exception>
    [Alias("Report")]
    Task<bool> Report(LinkSample sample, CancellationToken cancellationToken = default);

    /// <summary>The latest sample, or null when the link was never reported since this grain activated.</summary>
    [Alias("Get"), ReadOnly]
    Task<LinkSample?> Get(CancellationToken cancellationToken = default);
}
