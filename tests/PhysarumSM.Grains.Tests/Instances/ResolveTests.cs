using System.Collections.Immutable;
using Orleans.Core.Internal;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>The service grain resolves requests to instances by RTT and allocates them on real containers.</summary>
[Collection(AllocatorCollection.Name)]
public sealed class ResolveTests(AllocatorFixture fixture)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task The_first_resolve_allocates_on_the_requesting_node_and_the_second_reuses_it()
    {
        var service = await RegisterAsync("rs-first");

        var first = await service.Resolve(fixture.NodeB);
        var second = await service.Resolve(fixture.NodeB);

        Assert.Equal(fixture.NodeB, first.NodeId);   // RTT 0 to itself beats every link
        Assert.Equal(fixture.MeshSilo(1), first.Silo);
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(first.Endpoint));
        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Equal(first.ContainerId, second.ContainerId);
        Assert.Single(await ContainersOfAsync("rs-first"));
        await StopAsync(first);
    }

    [Fact]
    public async Task Twenty_concurrent_resolves_of_a_cold_service_start_exactly_one_container()
    {
        var service = await RegisterAsync("rs-burst");

        var resolved = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => service.Resolve(fixture.NodeA)));

        Assert.Single(resolved.Select(i => i.ContainerId).Distinct());
        Assert.Single(await ContainersOfAsync("rs-burst"));
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(resolved[0].Endpoint));
        await StopAsync(resolved[0]);
    }

    [Fact]
    public async Task After_stop_the_service_forgets_the_instance_and_the_next_resolve_starts_a_new_one()
    {
        var service = await RegisterAsync("rs-stop");
        var first = await service.Resolve(fixture.NodeA);
        var key = InstanceKey.Parse(first.InstanceId);

        await fixture.Mesh.Client.GetInstanceGrain(key).Stop();
        await MeshClusterFixture.Eventually(async () => !await AllocatorFixture.IsActiveAsync(fixture.Mesh, key), "the stopped instance grain deactivates");
        var second = await service.Resolve(fixture.NodeB);

        // Had the service still counted the stopped instance live, it would have reused it on node A (no soft
        // requirement); a new instance on the requesting node B shows InstanceGone reached it.
        Assert.Equal(fixture.NodeB, second.NodeId);
        Assert.NotEqual(first.ContainerId, second.ContainerId);
        Assert.Null(await fixture.Runtime.InspectAsync(first.ContainerId));
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(second.Endpoint));
        Assert.Single(await ContainersOfAsync("rs-stop"));
        await StopAsync(second);
    }

    [Fact]
    public async Task Deleting_the_service_stops_its_instances_on_every_node_and_a_resolve_then_fails_as_unregistered()
    {
        var service = await RegisterAsync("rs-delete", softRttMs: 5, hardRttMs: 100);
        await ReportAsync(fixture.NodeB, (fixture.NodeA, 50));   // A's instance misses B's soft requirement: B gets its own
        var onA = await service.Resolve(fixture.NodeA);
        var onB = await service.Resolve(fixture.NodeB);
        Assert.Equal(fixture.NodeA, onA.NodeId);
        Assert.Equal(fixture.NodeB, onB.NodeId);
        Assert.Equal(2, (await ContainersOfAsync("rs-delete")).Count);

        Assert.True(await service.Delete());

        Assert.Empty(await ContainersOfAsync("rs-delete"));   // removed before Delete returned, not at an idle cull
        foreach (var info in new[] { onA, onB })
        {
            var key = InstanceKey.Parse(info.InstanceId);
            await MeshClusterFixture.Eventually(async () => !await AllocatorFixture.IsActiveAsync(fixture.Mesh, key), "the stopped instance grain deactivates");
            Assert.Null(await fixture.Runtime.InspectAsync(info.ContainerId));
        }

        await Assert.ThrowsAsync<KeyNotFoundException>(() => service.Resolve(fixture.NodeA));
        Assert.Empty(await ContainersOfAsync("rs-delete"));
    }

    [Fact]
    public async Task A_re_created_service_grain_reuses_and_on_delete_stops_the_instances_nodes_report()
    {
        var service = await RegisterAsync("rs-adopt", softRttMs: 5, hardRttMs: 100);
        await ReportAsync(fixture.NodeB, (fixture.NodeA, 3));   // A's instance meets B's soft requirement
        var onA = await service.Resolve(fixture.NodeA);
        Assert.Equal(fixture.NodeA, onA.NodeId);
        await PublishInstancesAsync(fixture.NodeA, onA);   // as node A's registration service does every few seconds

        // The activation that allocated it goes (as when its silo dies or it is collected); gateways keep the route.
        await service.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var fromB = await service.Resolve(fixture.NodeB);

        // A fresh activation that ignored the report would start a second instance on B (RTT 0 to itself).
        Assert.Equal(onA.ContainerId, fromB.ContainerId);
        Assert.Single(await ContainersOfAsync("rs-adopt"));

        await service.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.True(await service.Delete());

        Assert.Empty(await ContainersOfAsync("rs-adopt"));   // stopped by Delete, not left to its idle cull
        Assert.Null(await fixture.Runtime.InspectAsync(onA.ContainerId));
    }

    [Fact]
    public async Task A_request_from_a_node_without_instances_lands_on_the_nearest_allocator()
    {
        var gateway = $"gw-near-{fixture.RunId}";
        await RegisterNodesAsync(gateway);
        await ReportAsync(gateway, (fixture.NodeA, 50), (fixture.NodeB, 3));
        var service = await RegisterAsync("rs-near", softRttMs: 5, hardRttMs: 100);

        var info = await service.Resolve(gateway);

        Assert.Equal(fixture.NodeB, info.NodeId);
        await StopAsync(info);
    }

    [Fact]
    public async Task A_hard_requirement_no_allocator_meets_fails_with_a_clear_error_and_starts_nothing()
    {
        var gateway = $"gw-far-{fixture.RunId}";
        await RegisterNodesAsync(gateway);
        await ReportAsync(gateway, (fixture.NodeA, 50), (fixture.NodeB, 60));
        var service = await RegisterAsync("rs-hard", softRttMs: 5, hardRttMs: 10);

        var error = await Assert.ThrowsAsync<NoInstanceWithinRequirementException>(() => service.Resolve(gateway));

        Assert.Contains("hard RTT requirement of 10 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains(gateway, error.Message, StringComparison.Ordinal);
        Assert.Equal(10, error.HardRttMs);
        Assert.Empty(await ContainersOfAsync("rs-hard"));
    }

    /// <summary>
    /// The test cluster runs no node processes, so the tests put both allocators (and any extra requesting node) into the
    /// mesh directory themselves; registering again refreshes them before the stale timeout.
    /// </summary>
    private async Task RegisterNodesAsync(params string[] gateways)
    {
        foreach (var allocator in new[] { fixture.NodeA, fixture.NodeB })
        {
            await fixture.Mesh.Client.GetNodeGrain(allocator).Register(new NodeInfo { PeerId = allocator, Roles = NodeRoles.All });
        }

        foreach (var gateway in gateways)
        {
            await fixture.Mesh.Client.GetNodeGrain(gateway).Register(new NodeInfo { PeerId = gateway, Roles = NodeRoles.Overlay | NodeRoles.Gateway });
        }
    }

    private Task ReportAsync(string from, params (string To, double RttMs)[] links) =>
        fixture.Mesh.Client.GetNodeGrain(from).ReportLinks(links
            .Select(l => new LinkSample { From = from, To = l.To, LastRttMs = l.RttMs, EwmaRttMs = l.RttMs, SampleCount = 5, SeenAt = DateTimeOffset.UtcNow })
            .ToImmutableArray());

    private Task PublishInstancesAsync(string node, params InstanceInfo[] instances) =>
        fixture.Mesh.Client.GetNodeGrain(node).Register(new NodeInfo
        {
            PeerId = node,
            Roles = NodeRoles.All,
            Instances = [.. instances.Select(i => new InstanceSummary
            {
                InstanceId = i.InstanceId,
                Service = InstanceKey.Parse(i.InstanceId).Service,
                ContainerId = i.ContainerId,
                Since = DateTimeOffset.UtcNow,
            })],
        });

    private async Task<IServiceGrain> RegisterAsync(string name, int softRttMs = 0, int hardRttMs = 0)
    {
        await RegisterNodesAsync();
        var grain = fixture.Mesh.Client.GetGrain<IServiceGrain>(name);
        await grain.Register(new ServiceInfo { Name = name, DockerHash = fixture.Image, CpuReq = 0.5, MemoryReq = 64, SoftRttMs = softRttMs, HardRttMs = hardRttMs });
        return grain;
    }

    private Task<IReadOnlyList<ContainerSummary>> ContainersOfAsync(string service) =>
        fixture.Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Service] = service, [AllocatorFixture.RunLabel] = fixture.RunId });

    private Task StopAsync(InstanceInfo info) => fixture.Mesh.Client.GetInstanceGrain(InstanceKey.Parse(info.InstanceId)).Stop();
}
