using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PhysarumSM.Contracts;

/// <summary>
/// One node of the mesh, keyed by its libp2p peer ID. The node itself activates it (prefer-local placement), so the
/// grain normally lives on the node's own silo and dies with it; it is also the node's single entry point for link
/// reports, which keeps the mesh directory to one call per batch.
/// </summary>
[Alias("physarum.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the node or replaces what is known about it (roles, addresses, silo), and counts as a heartbeat.
    /// Returns the stored record: the grain stamps <see cref="NodeInfo.LastHeartbeat"/> and fills a missing
    /// <see cref="NodeInfo.Silo"/> with the silo it is active on.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="NodeInfo.PeerId"/> differs from the grain key.</exception>
    [Alias("Register")]
    Task<NodeInfo> Register(NodeInfo info, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes the node's liveness without resending its record. Returns null when the grain does not know the
    /// node (first start, marked gone, or the activation was lost with its silo): the caller then calls <see cref="Register"/>.
    /// </summary>
    [Alias("Heartbeat")]
    Task<NodeInfo?> Heartbeat(CancellationToken cancellationToken = default);

    /// <summary>What is known about the node, or null when it never registered or was marked gone.</summary>
    [Alias("Get"), ReadOnly]
    Task<NodeInfo?> Get(CancellationToken cancellationToken = default);

    /// <summary>The node is leaving (graceful shutdown): forget it here and in the mesh directory now rather than after the stale timeout.</summary>
    [Alias("MarkGone")]
    Task MarkGone(CancellationToken cancellationToken = default);

    /// <summary>
    /// Records one batch of this node's outgoing link measurements: each sample goes to its <see cref="IPeerLinkGrain"/>
    /// and the accepted ones to the mesh directory in a single call. Meant to be called every few seconds by the
    /// ping monitor, never once per ping.
    /// </summary>
    /// <exception cref="ArgumentException">A sample's <see cref="LinkSample.From"/> is not this node, or its figures are negative or not finite.</exception>
    [Alias("ReportLinks")]
    Task ReportLinks(ImmutableArray<LinkSample> samples, CancellationToken cancellationToken = default);
}
