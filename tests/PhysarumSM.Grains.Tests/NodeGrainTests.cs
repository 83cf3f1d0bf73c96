using PhysarumSM.Contracts;
using static PhysarumSM.Grains.Tests.TestPeers;

namespace PhysarumSM.Grains.Tests;

[Collection(MeshClusterCollection.Name)]
public sealed class NodeGrainTests(MeshClusterFixture fixture)
{
    [Fact]
    public async Task Register_stores_the_record_and_stamps_the_heartbeat()
    {
        var id = NewPeerId();
        var stored = await fixture.Client.GetNodeGrain(id).Register(NodeRecord(id, NodeRoles.Overlay | NodeRoles.Gateway));

        var read = await fixture.Client.GetNodeGrain(id).Get();
        Assert.NotNull(read);
        Assert.Equal(stored, read);
        Assert.Equal(NodeRoles.Overlay | NodeRoles.Gateway, read.Roles);
        Assert.Equal(new[] { $"/ip4/127.0.0.1/tcp/4001/p2p/{id}" }, read.Addresses.AsEnumerable());
        Assert.Equal(fixture.Clock.GetUtcNow(), read.LastHeartbeat);
        Assert.NotNull(read.Silo);
    }

    [Fact]
    public async Task Node_grain_lives_on_the_silo_of_the_node_that_registered_it()
    {
        var id = NewPeerId();
        var home = fixture.Cluster.Silos[2].SiloAddress;

        var stored = await fixture.SiloGrains(2).GetNodeGrain(id).Register(NodeRecord(id));

        Assert.Equal(home, stored.Silo);
        var seenFromElsewhere = await fixture.SiloGrains(0).GetNodeGrain(id).Get();
        Assert.Equal(home, seenFromElsewhere?.Silo);
    }

    [Fact]
    public async Task A_silo_given_by_the_node_is_kept()
    {
        var id = NewPeerId();
        var given = fixture.Cluster.Silos[1].SiloAddress;

        var stored = await fixture.SiloGrains(0).GetNodeGrain(id).Register(NodeRecord(id) with { Silo = given });

        Assert.Equal(given, stored.Silo);
    }

    [Fact]
    public async Task Heartbeat_refreshes_a_known_node_and_asks_an_unknown_one_to_register()
    {
        var id = NewPeerId();
        var grain = fixture.Client.GetNodeGrain(id);
        Assert.Null(await grain.Heartbeat());

        await grain.Register(NodeRecord(id));
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var refreshed = await grain.Heartbeat();

        Assert.Equal(fixture.Clock.GetUtcNow(), refreshed?.LastHeartbeat);
    }

    [Fact]
    public async Task Register_rejects_a_record_of_another_node()
    {
        var grain = fixture.Client.GetNodeGrain(NewPeerId());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => grain.Register(NodeRecord(NewPeerId())));
        Assert.Contains("sent to the node grain of", error.Message);
    }

    [Fact]
    public async Task Marked_gone_node_is_forgotten_by_its_grain_and_the_directory()
    {
        var id = NewPeerId();
        var grain = fixture.Client.GetNodeGrain(id);
        await grain.Register(NodeRecord(id));

        await grain.MarkGone();

        Assert.Null(await grain.Get());
        Assert.DoesNotContain(await fixture.Client.GetMeshDirectory().ListNodes(), n => n.Info.PeerId == id);
    }

    [Fact]
    public async Task Deactivated_node_grain_leaves_the_directory()
    {
        var id = NewPeerId();
        var grain = fixture.Client.GetNodeGrain(id);
        await grain.Register(NodeRecord(id));
        Assert.Contains(await fixture.Client.GetMeshDirectory().ListNodes(), n => n.Info.PeerId == id);

        await fixture.Cluster.DeactivateAsync(grain);

        await MeshClusterFixture.Eventually(
            async () => !(await fixture.Client.GetMeshDirectory().ListNodes()).Any(n => n.Info.PeerId == id),
            "the directory to drop a deactivated node");
    }
}
