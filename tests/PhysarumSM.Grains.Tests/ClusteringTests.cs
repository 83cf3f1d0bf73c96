using Orleans.Runtime;
using PhysarumSM.Contracts;
using PhysarumSM.Node.Cluster;
using PhysarumSM.TestKit;
using static PhysarumSM.Grains.Tests.TestPeers;

namespace PhysarumSM.Grains.Tests;

/// <summary>Two silos built with <see cref="NodeClusteringSiloBuilderExtensions.UsePhysarumClustering"/> form one cluster.</summary>
public sealed class ClusteringTests
{
    [Fact]
    public async Task Two_silos_with_redis_membership_form_one_cluster()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var redis = await RedisServer.StartAsync(guard.Token);
        var clusterId = "test-" + Guid.NewGuid().ToString("N");
        NodeClusterOptions Options() => new()
        {
            ClusterId = clusterId,
            RedisConnectionString = redis.Address,
            AdvertisedAddress = "127.0.0.1",
            SiloPort = NodeSilo.FreePort(),
            GatewayPort = NodeSilo.FreePort(),
        };

        await using var first = await NodeSilo.StartAsync(Options(), guard.Token);
        await using var second = await NodeSilo.StartAsync(Options(), guard.Token);

        await AssertOneCluster(first, second);
    }

    [Fact]
    public async Task Two_local_silos_pointing_at_the_primary_form_one_cluster()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var clusterId = "test-" + Guid.NewGuid().ToString("N");
        var primaryPort = NodeSilo.FreePort();

        await using var primary = await NodeSilo.StartAsync(
            new NodeClusterOptions { ClusterId = clusterId, SiloPort = primaryPort, GatewayPort = NodeSilo.FreePort() },
            guard.Token);
        await using var secondary = await NodeSilo.StartAsync(
            new NodeClusterOptions
            {
                ClusterId = clusterId,
                SiloPort = NodeSilo.FreePort(),
                GatewayPort = NodeSilo.FreePort(),
                PrimarySiloEndpoint = $"127.0.0.1:{primaryPort}",
            },
            guard.Token);

        await AssertOneCluster(primary, secondary);
    }

    private static async Task AssertOneCluster(NodeSilo first, NodeSilo second)
    {
        await MeshClusterFixture.Eventually(
            async () => (await first.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count == 2,
            "both silos to be active in the membership table");

        var (a, b) = (NewPeerId(), NewPeerId());
        await first.Grains.GetNodeGrain(a).Register(NodeRecord(a));
        await second.Grains.GetNodeGrain(b).Register(NodeRecord(b));

        // Each node grain lives on the silo of its node, and each silo reaches the other's grain.
        Assert.Equal(first.Address, (await second.Grains.GetNodeGrain(a).Get())?.Silo);
        Assert.Equal(second.Address, (await first.Grains.GetNodeGrain(b).Get())?.Silo);
        var listed = await second.Grains.GetMeshDirectory().ListNodes();
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), listed.Select(n => n.Info.PeerId).Where(p => p == a || p == b));
    }
}
