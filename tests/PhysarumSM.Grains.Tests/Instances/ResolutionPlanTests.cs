using System.Collections.Immutable;
using PhysarumSM.Contracts;
using PhysarumSM.Grains.Registry;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>
/// When a refusal is final and when it rests on missing knowledge (issue 8: a re-created directory still filling must not
/// turn a failover into 503s, yet a measured "too far" must stay an immediate, clear refusal).
/// </summary>
public sealed class ResolutionPlanTests
{
    private const string From = "gateway-node";

    [Fact]
    public void No_listed_allocator_is_incomplete_knowledge()
    {
        var plan = ResolutionPolicy.Plan("svc", From, 50, 100, [Node(From, NodeRoles.None)], Matrix(), [], 0, 0);
        Assert.True(plan.Steps.IsEmpty);
        Assert.True(plan.Incomplete);
        Assert.Contains("no live allocator", plan.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allocator_without_a_measured_rtt_is_incomplete_knowledge()
    {
        // One link is measured (so unmeasured no longer means "fresh mesh"), the other allocator's is not.
        var plan = ResolutionPolicy.Plan("svc", From, 5, 10, [Node(From, NodeRoles.None), Node("far", NodeRoles.Allocator), Node("new", NodeRoles.Allocator)],
            Matrix((From, "far", 50)), [], 0, 0);
        Assert.True(plan.Steps.IsEmpty);
        Assert.True(plan.Incomplete);
    }

    [Fact]
    public void A_requesting_node_that_measured_no_allocator_yet_awaits_measurements()
    {
        // Another node's link is measured (no "fresh mesh" leniency), but the requesting node joined moments ago.
        var plan = ResolutionPolicy.Plan("svc", From, 5, 10, [Node(From, NodeRoles.None), Node("far", NodeRoles.Allocator)],
            Matrix(("far", From, 3)), [], 0, 0);
        Assert.True(plan.Steps.IsEmpty);
        Assert.True(plan.AwaitingMeasurements);
        Assert.Contains("unmeasured", plan.Refusal, StringComparison.Ordinal);

        var measured = ResolutionPolicy.Plan("svc", From, 5, 10, [Node(From, NodeRoles.None), Node("far", NodeRoles.Allocator), Node("new", NodeRoles.Allocator)],
            Matrix((From, "far", 50)), [], 0, 0);
        Assert.False(measured.AwaitingMeasurements);   // it measured one allocator: the other's missing RTT is no longer "just joined"
    }

    [Fact]
    public void Every_allocator_measured_above_hard_is_a_final_refusal()
    {
        var plan = ResolutionPolicy.Plan("svc", From, 5, 10, [Node(From, NodeRoles.None), Node("far", NodeRoles.Allocator)],
            Matrix((From, "far", 50)), [], 0, 0);
        Assert.True(plan.Steps.IsEmpty);
        Assert.False(plan.Incomplete);
        Assert.Contains("hard RTT requirement of 10 ms", plan.Refusal, StringComparison.Ordinal);
    }

    private static MeshNode Node(string id, NodeRoles roles) => new() { Info = new NodeInfo { PeerId = id, Roles = roles } };

    private static RttMatrix Matrix(params (string From, string To, double Ms)[] links)
    {
        var nodes = links.SelectMany(l => new[] { l.From, l.To }).Append(From).Distinct().Order(StringComparer.Ordinal).ToImmutableArray();
        var cells = nodes.SelectMany(f => nodes.Select(t => links.FirstOrDefault(l => l.From == f && l.To == t) is { From: not null } l
            ? new LinkSample { From = f, To = t, EwmaRttMs = l.Ms, LastRttMs = l.Ms, SampleCount = 3, SeenAt = DateTimeOffset.UnixEpoch }
            : null)).ToImmutableArray();
        return new RttMatrix { Nodes = nodes, Cells = cells, AsOf = DateTimeOffset.UnixEpoch };
    }
}
