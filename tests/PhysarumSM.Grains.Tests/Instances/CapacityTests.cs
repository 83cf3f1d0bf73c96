using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Grains.Instances;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>Nodes account for what their instances reserve, resolution skips full nodes, and a node start removes leftovers.</summary>
[Collection(AllocatorCollection.Name)]
public sealed class CapacityTests(AllocatorFixture fixture)
{
    [Fact]
    public async Task The_ledger_counts_a_started_instance_and_releases_it_on_stop()
    {
        var capacity = fixture.Mesh.GetSiloServiceProvider(fixture.MeshSilo(0)).GetRequiredService<IAllocatorCapacity>();
        var before = capacity.Current;
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 7);
        var grain = fixture.Mesh.Client.GetInstanceGrain(key);

        await grain.EnsureStarted();
        var running = capacity.Current;
        await grain.Stop();
        await MeshClusterFixture.Eventually(async () => !await AllocatorFixture.IsActiveAsync(fixture.Mesh, key), "the stopped instance grain deactivates");

        Assert.Equal(before.Instances + 1, running.Instances);
        Assert.Equal(before.CpuReserved + 0.5, running.CpuReserved, 3);
        Assert.Equal(before.MemoryReservedMiB + 64, running.MemoryReservedMiB);
        Assert.Equal(32, running.MaxInstances);
        Assert.Equal(Environment.ProcessorCount, running.CpuCores);
        Assert.True(running.MemoryMiB > 0);
        Assert.Equal(before, capacity.Current);
    }

    [Fact]
    public async Task Resolve_skips_the_nearer_node_when_its_published_capacity_has_no_room()
    {
        var gateway = $"gw-cap-{fixture.RunId}";
        var full = new NodeCapacity { CpuCores = 4, MemoryMiB = 4096, MaxInstances = 8, Instances = 8 };
        var roomy = new NodeCapacity { CpuCores = 4, MemoryMiB = 4096, MaxInstances = 8 };
        try
        {
            await RegisterNodesAsync(gateway, (fixture.NodeA, full), (fixture.NodeB, roomy));
            await ReportAsync(gateway, (fixture.NodeA, 2), (fixture.NodeB, 40));
            var service = await RegisterServiceAsync("cap-skip");

            var info = await service.Resolve(gateway);

            Assert.Equal(fixture.NodeB, info.NodeId);   // node A is nearer but full
            await fixture.Mesh.Client.GetInstanceGrain(InstanceKey.Parse(info.InstanceId)).Stop();
        }
        finally
        {
            await RegisterNodesAsync(gateway, (fixture.NodeA, null), (fixture.NodeB, null));
        }
    }

    [Fact]
    public async Task Resolve_refuses_clearly_when_no_node_has_room_for_the_service()
    {
        var gateway = $"gw-nocap-{fixture.RunId}";
        var tooSmall = new NodeCapacity { CpuCores = 0.25, MemoryMiB = 4096, MaxInstances = 8 };   // the service needs 0.5 cores
        try
        {
            await RegisterNodesAsync(gateway, (fixture.NodeA, tooSmall), (fixture.NodeB, tooSmall));
            var service = await RegisterServiceAsync("cap-none");

            var error = await Assert.ThrowsAsync<NoInstanceWithinRequirementException>(() => service.Resolve(gateway));

            Assert.Contains("no allocator node has room", error.Message, StringComparison.Ordinal);
            Assert.Empty(await fixture.Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Service] = "cap-none", [AllocatorFixture.RunLabel] = fixture.RunId }));
        }
        finally
        {
            await RegisterNodesAsync(gateway, (fixture.NodeA, null), (fixture.NodeB, null));
        }
    }

    [Fact]
    public async Task The_sweep_removes_an_untracked_container_of_the_node_and_keeps_a_live_instance()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 8);
        var grain = fixture.Mesh.Client.GetInstanceGrain(key);
        var live = await grain.EnsureStarted();
        var leftover = await RunLeftoverAsync(fixture.NodeA, 98);
        try
        {
            var sweep = fixture.Mesh.GetSiloServiceProvider(fixture.MeshSilo(0)).GetRequiredService<LeftoverSweep>();

            var removed = await sweep.SweepAsync(CancellationToken.None);

            Assert.Equal(1, removed);
            Assert.Null(await fixture.Runtime.InspectAsync(leftover.Id));
            Assert.NotNull(await fixture.Runtime.InspectAsync(live.ContainerId));
        }
        finally
        {
            await grain.Stop();
            await fixture.Runtime.RemoveAsync(leftover.Id);
        }
    }

    [Fact]
    public async Task A_node_that_starts_removes_the_containers_its_previous_run_left()
    {
        var prefix = $"sweep-{fixture.RunId}";
        var node = AllocatorCluster.NodeId(prefix, "Silo_0");
        var leftover = await RunLeftoverAsync(node, 0);
        var other = await RunLeftoverAsync($"other-{fixture.RunId}", 0);   // another node's container is not ours to remove
        try
        {
            await using var cluster = await AllocatorCluster.StartAsync(1, prefix, AllocatorFixture.RunLabel, fixture.RunId, TimeSpan.FromMinutes(10));

            Assert.Empty(await fixture.Runtime.ListAsync(ContainerLabels.ForNode(node)));
            Assert.NotNull(await fixture.Runtime.InspectAsync(other.Id));
        }
        finally
        {
            await fixture.Runtime.RemoveAsync(leftover.Id);
            await fixture.Runtime.RemoveAsync(other.Id);
        }
    }

    /// <summary>A container labelled as an instance of <paramref name="node"/>, as a crashed run would leave it; not waited on.</summary>
    private Task<RunningContainer> RunLeftoverAsync(string node, int ordinal) => fixture.Runtime.RunAsync(new ContainerSpec
    {
        Image = fixture.Image,
        ServiceName = AllocatorFixture.Service,
        InstanceId = new InstanceKey(AllocatorFixture.Service, node, ordinal).Format(),
        NodeId = node,
        CpuCores = 0.5,
        MemoryMiB = 64,
        Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [AllocatorFixture.RunLabel] = fixture.RunId },
    });

    private async Task RegisterNodesAsync(string gateway, params (string Node, NodeCapacity? Capacity)[] allocators)
    {
        foreach (var (node, capacity) in allocators)
        {
            await fixture.Mesh.Client.GetNodeGrain(node).Register(new NodeInfo { PeerId = node, Roles = NodeRoles.All, Capacity = capacity });
        }

        await fixture.Mesh.Client.GetNodeGrain(gateway).Register(new NodeInfo { PeerId = gateway, Roles = NodeRoles.Overlay | NodeRoles.Gateway });
    }

    private Task ReportAsync(string from, params (string To, double RttMs)[] links) =>
        fixture.Mesh.Client.GetNodeGrain(from).ReportLinks(links
            .Select(l => new LinkSample { From = from, To = l.To, LastRttMs = l.RttMs, EwmaRttMs = l.RttMs, SampleCount = 5, SeenAt = DateTimeOffset.UtcNow })
            .ToImmutableArray());

    private async Task<IServiceGrain> RegisterServiceAsync(string name)
    {
        var grain = fixture.Mesh.Client.GetGrain<IServiceGrain>(name);
        await grain.Register(new ServiceInfo { Name = name, DockerHash = fixture.Image, CpuReq = 0.5, MemoryReq = 64 });
        return grain;
    }
}
