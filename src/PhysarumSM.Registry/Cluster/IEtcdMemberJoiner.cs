namespace PhysarumSM.Registry.Cluster;

/// <summary>
/// Asks an existing etcd cluster to add a member. Why an interface: the joining node reaches the cluster through the
/// overlay (<c>/physarum/memberadd/1.0.0</c>), the answering node (and tests) through etcd itself (<see cref="EtcdMembership"/>).
/// </summary>
public interface IEtcdMemberJoiner
{
    /// <summary>Adds member <paramref name="name"/> with <paramref name="peerUrls"/>; idempotent for a member added but not yet started.</summary>
    Task<MemberAddResult> AddMemberAsync(string name, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken);
}
