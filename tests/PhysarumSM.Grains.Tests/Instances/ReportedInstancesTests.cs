using System.Collections.Immutable;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Grains.Registry;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>Which of the nodes' instance reports a service grain may take for its own running instances.</summary>
public sealed class ReportedInstancesTests
{
    [Fact]
    public void Running_instances_of_the_service_each_reported_by_its_own_node_are_taken()
    {
        ImmutableArray<MeshNode> nodes =
        [
            Node("n1", stale: false, Summary("svc/n1/0"), Summary("svc/n1/2"), Summary("other/n1/0")),
            Node("n2", stale: false, Summary("svc/n2/0")),
        ];

        var keys = ReportedInstances.Of("svc", nodes, includeStale: false).ToHashSet();

        Assert.Equal([new InstanceKey("svc", "n1", 0), new InstanceKey("svc", "n1", 2), new InstanceKey("svc", "n2", 0)],
            keys.OrderBy(k => k.NodeId, StringComparer.Ordinal).ThenBy(k => k.Ordinal));
    }

    [Fact]
    public void Paused_foreign_malformed_and_mislabelled_reports_are_ignored()
    {
        ImmutableArray<MeshNode> nodes =
        [
            Node("n1", stale: false,
                Summary("svc/n1/0") with { Paused = true },          // a warm-pool container is no instance
                Summary("svc/n2/0"),                                  // n1 cannot speak for n2's instances
                Summary("not-a-key"),
                Summary("") with { Paused = true },
                Summary("other/n1/1") with { Service = "svc" }),      // the key names another service
        ];

        Assert.Empty(ReportedInstances.Of("svc", nodes, includeStale: true));
    }

    [Fact]
    public void A_stale_node_counts_only_when_asked_for()
    {
        ImmutableArray<MeshNode> nodes = [Node("n1", stale: true, Summary("svc/n1/0"))];

        Assert.Empty(ReportedInstances.Of("svc", nodes, includeStale: false));   // resolve: not to be chosen
        Assert.Single(ReportedInstances.Of("svc", nodes, includeStale: true));   // delete: stop it if it still runs
    }

    private static InstanceSummary Summary(string instanceId) => new()
    {
        InstanceId = instanceId,
        Service = InstanceKey.TryParse(instanceId, out var key) ? key.Service : "svc",
        ContainerId = "c-" + instanceId,
    };

    private static MeshNode Node(string peerId, bool stale, params InstanceSummary[] instances) => new()
    {
        Info = new NodeInfo { PeerId = peerId, Roles = NodeRoles.All, Instances = [.. instances] },
        IsStale = stale,
    };
}
