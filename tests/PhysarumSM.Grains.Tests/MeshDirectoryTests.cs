using PhysarumSM.Contracts;
using static PhysarumSM.Grains.Tests.TestPeers;

namespace PhysarumSM.Grains.Tests;

[Collection(MeshClusterCollection.Name)]
public sealed class MeshDirectoryTests(MeshClusterFixture fixture)
{
    private IMeshDirectoryGrain Directory => fixture.Client.GetMeshDirectory();

    [Fact]
    public async Task Lists_nodes_registered_through_different_silos()
    {
        var ids = new[] { NewPeerId(), NewPeerId(), NewPeerId() };
        for (var i = 0; i < ids.Length; i++)
        {
            await fixture.SiloGrains(i).GetNodeGrain(ids[i]).Register(NodeRecord(ids[i]));
        }

        var listed = (await Directory.ListNodes()).Where(n => ids.Contains(n.Info.PeerId)).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(n => n.Info.PeerId));
        Assert.All(listed, n => Assert.False(n.IsStale));
        Assert.Equal(
            fixture.Cluster.Silos.Select(s => s.SiloAddress).ToHashSet(),
            listed.Select(n => n.Info.Silo!).ToHashSet());
    }

    [Fact]
    public async Task Builds_the_rtt_matrix_from_link_batches_of_several_nodes()
    {
        var (a, b, c) = (NewPeerId(), NewPeerId(), NewPeerId());
        var now = fixture.Clock.GetUtcNow();
        foreach (var (id, silo) in new[] { (a, 0), (b, 1), (c, 2) })
        {
            await fixture.SiloGrains(silo).GetNodeGrain(id).Register(NodeRecord(id));
        }

        await fixture.SiloGrains(0).GetNodeGrain(a).ReportLinks(Batch(Link(a, b, 10, now), Link(a, c, 30, now)));
        await fixture.SiloGrains(1).GetNodeGrain(b).ReportLinks(Batch(Link(b, a, 11, now)));
        var outsider = NewPeerId();   // e.g. a standalone proxy: measured, but not a node
        await fixture.SiloGrains(2).GetNodeGrain(c).ReportLinks(Batch(Link(c, a, 31, now), Link(c, outsider, 1, now)));

        var matrix = await Directory.GetRttMatrix();

        Assert.Equal(matrix.Nodes.Length * matrix.Nodes.Length, matrix.Cells.Length);
        Assert.Equal(10, matrix.EwmaRttMs(a, b));
        Assert.Equal(30, matrix.EwmaRttMs(a, c));
        Assert.Equal(11, matrix.EwmaRttMs(b, a));
        Assert.Equal(31, matrix.EwmaRttMs(c, a));
        Assert.Null(matrix.EwmaRttMs(b, c));
        Assert.Null(matrix[a, a]);
        Assert.DoesNotContain(outsider, matrix.Nodes);
        Assert.Contains(await Directory.ListLinks(from: c), l => l.To == outsider);
    }

    [Fact]
    public async Task Silent_nodes_turn_stale_and_are_then_removed_with_their_links()
    {
        var (quiet, chatty) = (NewPeerId(), NewPeerId());
        await fixture.Client.GetNodeGrain(quiet).Register(NodeRecord(quiet));
        await fixture.Client.GetNodeGrain(chatty).Register(NodeRecord(chatty));
        await fixture.Client.GetNodeGrain(chatty).ReportLinks(Batch(Link(chatty, quiet, 3, fixture.Clock.GetUtcNow())));

        fixture.Clock.Advance(MeshClusterFixture.StaleAfter + TimeSpan.FromSeconds(1));
        await fixture.Client.GetNodeGrain(chatty).Heartbeat();
        var listed = (await Directory.ListNodes()).ToDictionary(n => n.Info.PeerId);

        Assert.True(listed[quiet].IsStale);
        Assert.False(listed[chatty].IsStale);

        fixture.Clock.Advance(MeshClusterFixture.RemoveAfter);
        await fixture.Client.GetNodeGrain(chatty).Heartbeat();
        var after = await Directory.ListNodes();

        Assert.DoesNotContain(after, n => n.Info.PeerId == quiet);
        Assert.Contains(after, n => n.Info.PeerId == chatty);
        Assert.DoesNotContain(await Directory.ListLinks(from: chatty), l => l.To == quiet);
        Assert.DoesNotContain(quiet, (await Directory.GetRttMatrix()).Nodes);
    }

    [Fact]
    public async Task A_heartbeat_brings_a_stale_node_back()
    {
        var id = NewPeerId();
        await fixture.Client.GetNodeGrain(id).Register(NodeRecord(id));
        fixture.Clock.Advance(MeshClusterFixture.StaleAfter + TimeSpan.FromSeconds(1));
        Assert.True((await Directory.ListNodes()).Single(n => n.Info.PeerId == id).IsStale);

        await fixture.Client.GetNodeGrain(id).Heartbeat();

        Assert.False((await Directory.ListNodes()).Single(n => n.Info.PeerId == id).IsStale);
    }
}
