using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PhysarumSM.Contracts;

/// <summary>
/// The one place that knows every node and link (key <see cref="MeshGrainFactoryExtensions.MeshDirectoryKey"/>), so
/// listing nodes or reading the RTT matrix never scans or fans out. Node grains keep it current; nodes not heard from
/// for the stale timeout are flagged, and after the removal timeout dropped with their links. It holds only copies:
/// if its silo dies, the next heartbeats and link batches rebuild it.
/// </summary>
[Alias("physarum.IMeshDirectoryGrain")]
public interface IMeshDirectoryGrain : IGrainWithStringKey
{
    /// <summary>A node registered or heartbeated (called by its node grain); adds or refreshes its entry.</summary>
    [Alias("NodeSeen")]
    Task NodeSeen(NodeInfo node, CancellationToken cancellationToken = default);

    /// <summary>A registered node's periodic heartbeat: as <see cref="NodeSeen"/>, and a node this directory never saw register shows it lost its state.</summary>
    [Alias("NodeHeartbeat")]
    Task NodeHeartbeat(NodeInfo node, CancellationToken cancellationToken = default);

    /// <summary>
    /// A node left or its grain deactivated: drops the node and its links, unless the directory has heard from it after
    /// <paramref name="lastHeartbeat"/> (a newer activation has already re-registered it).
    /// </summary>
    [Alias("NodeGone")]
    Task NodeGone(string peerId, DateTimeOffset lastHeartbeat, CancellationToken cancellationToken = default);

    /// <summary>A batch of link samples accepted by their link grains; older samples than the stored ones are ignored.</summary>
    [Alias("LinksSeen")]
    Task LinksSeen(ImmutableArray<LinkSample> samples, CancellationToken cancellationToken = default);

    /// <summary>A link grain deactivated: drops the link unless a sample newer than <paramref name="seenAt"/> has arrived since.</summary>
    [Alias("LinkGone")]
    Task LinkGone(PeerLinkKey key, DateTimeOffset seenAt, CancellationToken cancellationToken = default);

    /// <summary>Every node not yet removed, stale ones flagged, in peer ID order.</summary>
    [Alias("ListNodes"), ReadOnly]
    Task<ImmutableArray<MeshNode>> ListNodes(CancellationToken cancellationToken = default);

    /// <summary>Known links, all of them or only those measured by <paramref name="from"/> (what resolving a service from one node needs).</summary>
    [Alias("ListLinks"), ReadOnly]
    Task<ImmutableArray<LinkSample>> ListLinks(string? from = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// True while this directory is a fresh re-creation still filling up: it was activated moments ago and either knows
    /// no node yet or has heard heartbeats from nodes that registered with an earlier activation (whose silo died). Why
    /// callers ask: the directory lives in memory, so after such a loss an empty or partial answer is not final.
    /// </summary>
    [Alias("IsRebuilding"), ReadOnly]
    Task<bool> IsRebuilding(CancellationToken cancellationToken = default);

    /// <summary>The RTT matrix over the listed nodes (links to peers that are not nodes, such as a standalone proxy, are left out).</summary>
    [Alias("GetRttMatrix"), ReadOnly]
    Task<RttMatrix> GetRttMatrix(CancellationToken cancellationToken = default);
}
