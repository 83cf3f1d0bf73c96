using Microsoft.Extensions.DependencyInjection;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>Instance grains pinned to nodes start, adopt, stop and cull real containers.</summary>
[Collection(AllocatorCollection.Name)]
public sealed class InstanceGrainTests(AllocatorFixture fixture)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task EnsureStarted_runs_the_container_on_the_node_in_the_key_and_it_answers()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeB, 0);

        var info = await fixture.Mesh.Client.GetInstanceGrain(key).EnsureStarted();

        Assert.Equal(fixture.MeshSilo(1), info.Silo);
        Assert.Equal(key.Format(), info.InstanceId);
        Assert.Equal(fixture.NodeB, info.NodeId);
        Assert.Equal(InstanceState.Running, info.State);
        Assert.False(info.Adopted);
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(info.Endpoint));

        var details = await fixture.Runtime.InspectAsync(info.ContainerId);
        Assert.NotNull(details);
        Assert.Equal(ContainerRunState.Running, details.State);
        Assert.Equal(AllocatorFixture.Service, details.Labels[ContainerLabels.Service]);
        Assert.Equal(key.Format(), details.Labels[ContainerLabels.Instance]);
        Assert.Equal(fixture.NodeB, details.Labels[ContainerLabels.Node]);
        Assert.Equal("8080", details.Environment[ServiceEnvironment.ServicePort]);
        Assert.Equal("4200", details.Environment[ServiceEnvironment.ProxyPort]);
        Assert.Equal(0.5, details.CpuCores);
        Assert.Equal(64, details.MemoryMiB);

        // A second call reaches the same activation and container.
        Assert.Equal(info.ContainerId, (await fixture.Mesh.Client.GetInstanceGrain(key).Get()).ContainerId);
        await fixture.Mesh.Client.GetInstanceGrain(key).Stop();
    }

    [Fact]
    public async Task Calls_from_another_silo_still_place_the_instance_on_its_node()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 0);
        var fromNodeB = fixture.Mesh.GetSiloServiceProvider(fixture.MeshSilo(1)).GetRequiredService<IGrainFactory>();

        var info = await fromNodeB.GetInstanceGrain(key).EnsureStarted();

        Assert.Equal(fixture.MeshSilo(0), info.Silo);
        Assert.Equal(fixture.NodeA, (await fixture.Runtime.InspectAsync(info.ContainerId))?.Labels[ContainerLabels.Node]);
        await fromNodeB.GetInstanceGrain(key).Stop();
    }

    [Fact]
    public async Task Stop_removes_the_container_and_the_next_call_starts_a_new_one()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 1);
        var grain = fixture.Mesh.Client.GetInstanceGrain(key);
        var first = await grain.EnsureStarted();

        await grain.Stop();

        Assert.Null(await fixture.Runtime.InspectAsync(first.ContainerId));
        await MeshClusterFixture.Eventually(async () => !await AllocatorFixture.IsActiveAsync(fixture.Mesh, key), "the stopped instance grain deactivates");
        var second = await grain.EnsureStarted();
        Assert.NotEqual(first.ContainerId, second.ContainerId);
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(second.Endpoint));
        await grain.Stop();
        Assert.Empty(await fixture.ContainersOf(key));
    }

    [Fact]
    public async Task A_container_killed_from_outside_deactivates_its_grain_and_is_removed()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeB, 2);
        var grain = fixture.Mesh.Client.GetInstanceGrain(key);
        var first = await grain.EnsureStarted();

        await fixture.Engine.Client.Containers.KillContainerAsync(first.ContainerId, new Docker.DotNet.Models.ContainerKillParameters());

        await MeshClusterFixture.Eventually(
            async () => !await AllocatorFixture.IsActiveAsync(fixture.Mesh, key) && (await fixture.ContainersOf(key)).Count == 0,
            "the grain of the killed container deactivates and removes it");
        var second = await grain.EnsureStarted();
        Assert.NotEqual(first.ContainerId, second.ContainerId);
        await grain.Stop();
    }

    [Fact]
    public async Task An_idle_instance_is_culled_with_its_container()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.CullingNode, 0);
        var grain = fixture.Culling.Client.GetInstanceGrain(key);
        var info = await grain.EnsureStarted();
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(info.Endpoint));

        await MeshClusterFixture.Eventually(
            async () => !await AllocatorFixture.IsActiveAsync(fixture.Culling, key) && (await fixture.ContainersOf(key)).Count == 0,
            $"the instance idle for {AllocatorFixture.ShortIdle} is deactivated and its container removed");
    }

    [Fact]
    public async Task RecordRequests_counts_reported_requests()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 3);
        var grain = fixture.Mesh.Client.GetInstanceGrain(key);
        var started = await grain.EnsureStarted();

        await grain.RecordRequests(5, DateTimeOffset.UtcNow.AddDays(1));   // a clock ahead of ours counts as now
        await grain.RecordRequests(2, started.LastActivityAt);
        await grain.Touch();
        var info = await grain.Get();

        Assert.Equal(7, info.Requests);
        Assert.True(info.LastActivityAt >= started.LastActivityAt);
        Assert.True(info.LastActivityAt < DateTimeOffset.UtcNow.AddHours(1));
        await grain.Stop();
    }

    [Fact]
    public async Task A_container_left_behind_is_adopted()
    {
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 4);
        var left = await fixture.Runtime.RunAsync(new ContainerSpec
        {
            Image = fixture.Image,
            ServiceName = AllocatorFixture.Service,
            InstanceId = key.Format(),
            NodeId = key.NodeId,
            Labels = new Dictionary<string, string> { [AllocatorFixture.RunLabel] = fixture.RunId },
        });

        var info = await fixture.Mesh.Client.GetInstanceGrain(key).EnsureStarted();

        Assert.True(info.Adopted);
        Assert.Equal(left.Id, info.ContainerId);
        Assert.Equal("Hello, world\n", await Http.GetStringAsync(info.Endpoint));
        await fixture.Mesh.Client.GetInstanceGrain(key).Stop();
        Assert.Empty(await fixture.ContainersOf(key));
    }

    [Fact]
    public async Task A_key_naming_an_unknown_node_fails_fast_with_NodeUnavailableException()
    {
        var key = new InstanceKey(AllocatorFixture.Service, $"no-such-node-{fixture.RunId}", 0);

        var error = await Assert.ThrowsAsync<NodeUnavailableException>(() => fixture.Mesh.Client.GetInstanceGrain(key).EnsureStarted());

        Assert.Equal(key.NodeId, error.NodeId);
        Assert.Contains(key.NodeId, error.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.ContainersOf(key));
    }

    [Fact]
    public async Task An_unregistered_service_fails_with_InstanceStartException_and_leaves_nothing()
    {
        var key = new InstanceKey($"unregistered-{fixture.RunId}", fixture.NodeA, 0);

        var error = await Assert.ThrowsAsync<InstanceStartException>(() => fixture.Mesh.Client.GetInstanceGrain(key).EnsureStarted());

        Assert.Contains("not registered", error.Message, StringComparison.Ordinal);
        Assert.Equal(key.Format(), error.InstanceId);
        Assert.Empty(await fixture.ContainersOf(key));
    }

    [Fact]
    public async Task A_missing_image_fails_with_InstanceStartException_naming_it()
    {
        const string service = "missing-image";
        await AllocatorCluster.RegisterAsync(fixture.Mesh.Client, service, $"physarum-test/absent:{fixture.RunId}");
        var key = new InstanceKey(service, fixture.NodeB, 0);

        var error = await Assert.ThrowsAsync<InstanceStartException>(() => fixture.Mesh.Client.GetInstanceGrain(key).EnsureStarted());

        Assert.Contains($"physarum-test/absent:{fixture.RunId}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.ContainersOf(key));
    }
}
