using PhysarumSM.Contracts;
using static PhysarumSM.Grains.Tests.TestPeers;

namespace PhysarumSM.Grains.Tests;

[Collection(MeshClusterCollection.Name)]
public sealed class PeerLinkGrainTests(MeshClusterFixture fixture)
{
    [Fact]
    public async Task A_batch_reaches_every_link_grain_and_the_directory()
    {
        var (a, b, c) = (NewPeerId(), NewPeerId(), NewPeerId());
        var now = fixture.Clock.GetUtcNow();
        var node = fixture.SiloGrains(1).GetNodeGrain(a);
        await node.Register(NodeRecord(a));

        await node.ReportLinks(Batch(Link(a, b, 12.5, now), Link(a, c, 40, now)));

        Assert.Equal(12.5, (await fixture.Client.GetPeerLinkGrain(a, b).Get())?.EwmaRttMs);
        Assert.Equal(40, (await fixture.Client.GetPeerLinkGrain(a, c).Get())?.EwmaRttMs);
        var links = await fixture.Client.GetMeshDirectory().ListLinks(from: a);
        Assert.Equal(new[] { b, c }.Order(StringComparer.Ordinal), links.Select(l => l.To));
    }

    [Fact]
    public async Task Older_samples_never_roll_a_link_back()
    {
        var (a, b) = (NewPeerId(), NewPeerId());
        var now = fixture.Clock.GetUtcNow();
        var link = fixture.Client.GetPeerLinkGrain(a, b);
        await fixture.Client.GetNodeGrain(a).ReportLinks(Batch(Link(a, b, 10, now)));

        Assert.False(await link.Report(Link(a, b, 99, now - TimeSpan.FromSeconds(1))));
        await fixture.Client.GetNodeGrain(a).ReportLinks(Batch(Link(a, b, 98, now - TimeSpan.FromSeconds(2))));

        Assert.Equal(10, (await link.Get())?.EwmaRttMs);
        Assert.Equal([10.0], (await fixture.Client.GetMeshDirectory().ListLinks(from: a)).Select(l => l.EwmaRttMs));
    }

    [Fact]
    public async Task A_node_may_only_report_its_own_links()
    {
        var (a, b, c) = (NewPeerId(), NewPeerId(), NewPeerId());

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Client.GetNodeGrain(a).ReportLinks(Batch(Link(b, c, 5, fixture.Clock.GetUtcNow()))));

        Assert.Contains("may only report its own links", error.Message);
        Assert.Null(await fixture.Client.GetPeerLinkGrain(b, c).Get());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    public async Task Samples_with_unusable_rtts_are_rejected(double ewma)
    {
        var (a, b) = (NewPeerId(), NewPeerId());
        var sample = Link(a, b, 5, fixture.Clock.GetUtcNow()) with { EwmaRttMs = ewma };

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.GetPeerLinkGrain(a, b).Report(sample));
    }

    [Fact]
    public async Task A_sample_for_another_link_is_rejected()
    {
        var (a, b, c) = (NewPeerId(), NewPeerId(), NewPeerId());

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Client.GetPeerLinkGrain(a, b).Report(Link(a, c, 5, fixture.Clock.GetUtcNow())));

        Assert.Contains("sent to the grain of link", error.Message);
    }

    [Fact]
    public async Task A_malformed_link_key_fails_with_the_format_error()
    {
        var grain = fixture.Client.GetGrain<IPeerLinkGrain>("no-separator-here");

        var error = await Assert.ThrowsAsync<FormatException>(() => grain.Get());

        Assert.Contains("is not FROM->TO", error.Message);
    }

    [Fact]
    public async Task Deactivated_link_grain_leaves_the_directory()
    {
        var (a, b) = (NewPeerId(), NewPeerId());
        await fixture.Client.GetNodeGrain(a).ReportLinks(Batch(Link(a, b, 7, fixture.Clock.GetUtcNow())));
        Assert.Single(await fixture.Client.GetMeshDirectory().ListLinks(from: a));

        await fixture.Cluster.DeactivateAsync(fixture.Client.GetPeerLinkGrain(a, b));

        await MeshClusterFixture.Eventually(
            async () => (await fixture.Client.GetMeshDirectory().ListLinks(from: a)).IsEmpty,
            "the directory to drop a deactivated link");
    }
}
