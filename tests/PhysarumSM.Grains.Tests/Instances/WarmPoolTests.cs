using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Grains.Instances;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>Idle-culled containers are paused for the warm pool, resumed by the next instance of their service, and removed on expiry or when room is needed.</summary>
[Collection(AllocatorCollection.Name)]
public sealed class WarmPoolTests(AllocatorFixture fixture)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task An_idle_cull_pauses_the_container_and_the_next_instance_of_the_service_resumes_it()
    {
        await using var node = await WarmNodeAsync("reuse", o => o.WarmPoolTtl = TimeSpan.FromMinutes(10));
        var first = new InstanceKey(AllocatorFixture.Service, node.Id, 0);
        var culled = await node.Cluster.Client.GetInstanceGrain(first).EnsureStarted();

        await MeshClusterFixture.Eventually(
            async () => !await AllocatorFixture.IsActiveAsync(node.Cluster, first)
                        && (await fixture.Runtime.InspectAsync(culled.ContainerId))?.State == ContainerRunState.Paused,
            "the idle instance is culled and its container paused");
        var capacity = node.Services.GetRequiredService<IAllocatorCapacity>().Current;
        Assert.Equal(1, capacity.Instances);   // the paused container still holds its reservation
        Assert.Equal(64, capacity.MemoryReservedMiB);

        // Another ordinal of the same service on the same node: the pooled container, unpaused.
        var next = new InstanceKey(AllocatorFixture.Service, node.Id, 1);
        var resumed = await node.Cluster.Client.GetInstanceGrain(next).EnsureStarted();

        Assert.Equal(culled.ContainerId, resumed.ContainerId);
        Assert.True(resumed.Adopted);
        Assert.Equal(ContainerRunState.Running, (await fixture.Runtime.InspectAsync(resumed.ContainerId))?.State);
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(resumed.Endpoint));
        Assert.Equal(1, node.Services.GetRequiredService<IAllocatorCapacity>().Current.Instances);

        await node.Cluster.Client.GetInstanceGrain(next).Stop();   // an explicit stop removes at once, no parking
        Assert.Null(await fixture.Runtime.InspectAsync(resumed.ContainerId));
    }

    [Fact]
    public async Task A_paused_container_is_removed_when_its_ttl_expires()
    {
        await using var node = await WarmNodeAsync("expiry", o => o.WarmPoolTtl = TimeSpan.FromSeconds(2));
        var key = new InstanceKey(AllocatorFixture.Service, node.Id, 0);
        var info = await node.Cluster.Client.GetInstanceGrain(key).EnsureStarted();

        await MeshClusterFixture.Eventually(
            async () => !await AllocatorFixture.IsActiveAsync(node.Cluster, key) && await fixture.Runtime.InspectAsync(info.ContainerId) is null,
            "the culled container is paused, then removed once the warm pool TTL ends");
        await MeshClusterFixture.Eventually(
            () => Task.FromResult(node.Services.GetRequiredService<IAllocatorCapacity>().Current.Instances == 0),
            "the expired container no longer counts against capacity");
    }

    [Fact]
    public async Task A_zero_ttl_removes_the_culled_container_at_once()
    {
        await using var node = await WarmNodeAsync("off", o => o.WarmPoolTtl = TimeSpan.Zero);
        var key = new InstanceKey(AllocatorFixture.Service, node.Id, 0);
        var info = await node.Cluster.Client.GetInstanceGrain(key).EnsureStarted();

        await MeshClusterFixture.Eventually(
            async () => !await AllocatorFixture.IsActiveAsync(node.Cluster, key),
            "the idle instance is culled");

        // Deactivation removes before it completes, so once the grain is gone the container must be too.
        Assert.Null(await fixture.Runtime.InspectAsync(info.ContainerId));
        Assert.Equal(0, node.Services.GetRequiredService<IAllocatorCapacity>().Current.Instances);
    }

    [Fact]
    public async Task A_start_that_needs_room_removes_the_oldest_paused_container_first()
    {
        await using var node = await WarmNodeAsync("evict", o =>
        {
            o.WarmPoolTtl = TimeSpan.FromMinutes(10);
            o.MaxInstances = 1;
        });
        var key = new InstanceKey(AllocatorFixture.Service, node.Id, 0);
        var culled = await node.Cluster.Client.GetInstanceGrain(key).EnsureStarted();
        await MeshClusterFixture.Eventually(
            async () => (await fixture.Runtime.InspectAsync(culled.ContainerId))?.State == ContainerRunState.Paused
                        && !await AllocatorFixture.IsActiveAsync(node.Cluster, key),
            "the idle instance is culled and its container paused");

        // A different service cannot use the paused container, and the node has room for only one.
        const string other = "hello-other";
        await AllocatorCluster.RegisterAsync(node.Cluster.Client, other, fixture.Image);
        var otherKey = new InstanceKey(other, node.Id, 0);
        var started = await node.Cluster.Client.GetInstanceGrain(otherKey).EnsureStarted();

        Assert.NotEqual(culled.ContainerId, started.ContainerId);
        Assert.Null(await fixture.Runtime.InspectAsync(culled.ContainerId));
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(started.Endpoint));
        await node.Cluster.Client.GetInstanceGrain(otherKey).Stop();
    }

    private async Task<WarmNode> WarmNodeAsync(string name, Action<AllocatorOptions> configure)
    {
        var prefix = $"warm-{name}-{fixture.RunId}";
        var cluster = await AllocatorCluster.StartAsync(1, prefix, AllocatorFixture.RunLabel, fixture.RunId, AllocatorFixture.ShortIdle, configure);
        await AllocatorCluster.RegisterAsync(cluster.Client, AllocatorFixture.Service, fixture.Image);
        return new WarmNode(cluster, AllocatorCluster.NodeId(prefix, "Silo_0"), fixture.Runtime);
    }

    /// <summary>A one-node allocator cluster of a test's own; disposing it removes every container of its node, paused ones included.</summary>
    private sealed record WarmNode(InProcessTestCluster Cluster, string Id, ContainerRuntime Runtime) : IAsyncDisposable
    {
        public IServiceProvider Services => Cluster.GetSiloServiceProvider(Cluster.Silos.Single().SiloAddress);

        public async ValueTask DisposeAsync()
        {
            await Cluster.DisposeAsync();
            foreach (var container in await Runtime.ListAsync(ContainerLabels.ForNode(Id)))
            {
                await Runtime.RemoveAsync(container.Id);
            }
        }
    }
}
