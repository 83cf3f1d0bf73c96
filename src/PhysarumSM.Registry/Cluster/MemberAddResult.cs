namespace PhysarumSM.Registry.Cluster;

/// <summary>
/// What an existing member answers to a member add: everything the new member needs to start with
/// initial-cluster-state <c>existing</c>. A plain record so the node can carry it as JSON over the overlay.
/// </summary>
/// <param name="MemberId">The id etcd gave the new member.</param>
/// <param name="Name">The new member's name.</param>
/// <param name="PeerUrls">The new member's peer URLs.</param>
/// <param name="InitialCluster">The <c>--initial-cluster</c> value: <c>name=peerUrl,...</c> for every member.</param>
/// <param name="ClientUrls">Client URLs of the members already serving; usable as storage endpoints meanwhile.</param>
public sealed record MemberAddResult(
    ulong MemberId,
    string Name,
    IReadOnlyList<string> PeerUrls,
    string InitialCluster,
    IReadOnlyList<string> ClientUrls);
