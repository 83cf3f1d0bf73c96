using Docker.DotNet.Models;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// Real physarum-node processes with the allocator role and the real Docker engine (issue 5): resolving spawns a
/// container with the environment contract, idle instances are culled into the warm pool and later removed,
/// concurrent first requests share one container, a container killed from outside is replaced, placement follows
/// measured RTT and capacity, and a node restart leaves no orphan containers.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class AllocatorIntegrationTests
{
    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(5));

    [Fact]
    public async Task A_resolved_instance_has_the_env_contract_and_answers_then_idle_it_is_paused_reused_and_finally_removed()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct, "-idle-timeout", "3s", "-warm-pool-ttl", "8s");
        var node = mesh.Registry;
        const string service = "cull-hello";
        await mesh.AddHelloWorldAsync(service, ct);
        var grains = await mesh.Mesh.ClientAsync(ct);

        var instance = await grains.GetServiceGrain(service).Resolve(node.PeerId, ct);
        Assert.Equal(node.PeerId, instance.NodeId);
        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(instance.Endpoint, ct)).Trim());

        var container = Assert.Single(await mesh.ContainersAsync("physarum.service", service, ct));
        Assert.Equal(instance.ContainerId, container.ID);
        Assert.Equal(instance.InstanceId, container.Labels["physarum.instance"]);
        Assert.Equal(node.PeerId, container.Labels["physarum.node"]);
        var env = (await mesh.Docker.Client.Containers.InspectContainerAsync(container.ID, ct)).Config.Env
            .Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal("8080", env["SERVICE_PORT"]);
        Assert.Equal(node.Ports.Proxy.ToString(System.Globalization.CultureInfo.InvariantCulture), env["PROXY_PORT"]);   // the node's gateway port
        Assert.True(System.Net.IPAddress.TryParse(env["PROXY_IP"], out _), $"PROXY_IP '{env["PROXY_IP"]}' is an address");
        Assert.Equal(TestMesh.Psk, env["P2P_PSK"]);
        Assert.Contains($"/p2p/{node.PeerId}", env["P2P_BOOTSTRAPS"], StringComparison.Ordinal);

        (string, string) Service() => ("service", service);
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_instances", ct, Service()));
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_allocations_total", ct, Service(), ("outcome", "started")));
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_allocation_seconds_count", ct, Service(), ("outcome", "started")));

        // Left idle: culled into the warm pool (paused, still there), counted as a cull, no longer an instance.
        await Eventually.HoldsAsync(async () => await StateAsync(mesh, service, container.ID, ct) == "paused", ct, "the idle instance's container is paused");
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_culls_total", ct, Service()));
        await Eventually.HoldsAsync(async () => await mesh.MetricAsync(node, "physarum_instances", ct, Service()) == 0, ct, "the gauge drops to 0");

        // The next request resumes that very container.
        var again = await grains.GetServiceGrain(service).Resolve(node.PeerId, ct);
        Assert.Equal(container.ID, again.ContainerId);
        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(again.Endpoint, ct)).Trim());
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_allocations_total", ct, Service(), ("outcome", "warm")));

        // Idle again, then past the warm-pool TTL: gone for good.
        await Eventually.HoldsAsync(async () => await StateAsync(mesh, service, container.ID, ct) == "paused", ct, "paused again after the second idle period");
        await Eventually.HoldsAsync(async () => (await mesh.ContainersAsync("physarum.service", service, ct)).Count == 0, ct, "removed after the warm-pool TTL");
        Assert.Equal(2, await mesh.MetricAsync(node, "physarum_culls_total", ct, Service()));
    }

    [Fact]
    public async Task Twenty_concurrent_resolves_start_one_container_and_one_killed_from_outside_is_replaced()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct);
        var node = mesh.Registry;
        const string service = "burst-hello";
        await mesh.AddHelloWorldAsync(service, ct);
        var grains = await mesh.Mesh.ClientAsync(ct);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grains.GetServiceGrain(service).Resolve(node.PeerId, ct)));
        var instance = answers[0];
        Assert.All(answers, a => Assert.Equal(instance.ContainerId, a.ContainerId));
        Assert.Equal(instance.ContainerId, Assert.Single(await mesh.ContainersAsync("physarum.service", service, ct)).ID);
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_allocations_total", ct, ("service", service), ("outcome", "started")));

        await mesh.Docker.Client.Containers.KillContainerAsync(instance.ContainerId, new ContainerKillParameters(), ct);

        // The instance grain notices the death and goes; the next resolve starts a new container that answers.
        InstanceInfo? replacement = null;
        await Eventually.HoldsAsync(async () =>
        {
            replacement = await grains.GetServiceGrain(service).Resolve(node.PeerId, ct);
            return replacement.ContainerId != instance.ContainerId;
        }, ct, "a resolve after the kill returns a new container");
        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(replacement!.Endpoint, ct)).Trim());
        await Eventually.HoldsAsync(async () => (await mesh.ContainersAsync("physarum.service", service, ct)).Select(c => c.ID).SequenceEqual([replacement.ContainerId]),
            ct, "only the replacement remains; the dead container is removed");
    }

    [Fact]
    public async Task An_instance_lands_on_the_nearer_node_a_full_node_is_skipped_and_an_unmeetable_hard_requirement_is_refused()
    {
        using var guard = Guard();
        var ct = guard.Token;
        // The caller runs no instances itself; "near" is on loopback, "far" reaches it through a 50 ms (each way) relay.
        await using var mesh = await AllocatorMesh.StartAsync(ct, "-no-allocator");
        var caller = mesh.Registry;
        var near = await mesh.Mesh.StartNodeAsync(ct, keyName: "near", flags: ["-max-instances", "1"]);
        await using var relay = new LatencyRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, caller.Ports.P2p)) { OneWayDelay = TimeSpan.FromMilliseconds(50) };
        var far = await mesh.Mesh.StartNodeAsync(ct, bootstrap: $"{relay.ListenAddress}/p2p/{caller.PeerId}", keyName: "far");
        var hello = await mesh.AddHelloWorldAsync("near-hello", ct);
        var grains = await mesh.Mesh.ClientAsync(ct);
        await Eventually.HoldsAsync(async () =>
            await grains.GetPeerLinkGrain(caller.PeerId, far.PeerId).Get(ct) is { EwmaRttMs: >= 60 }
            && await grains.GetPeerLinkGrain(caller.PeerId, near.PeerId).Get(ct) is { EwmaRttMs: < 20 },
            ct, "the caller measures ~100 ms to far and little to near");

        // soft 100 ms, hard 1000 ms (image-conf.json): both nodes qualify, the nearer one wins.
        var first = await grains.GetServiceGrain("near-hello").Resolve(caller.PeerId, ct);
        Assert.Equal(near.PeerId, first.NodeId);
        await Eventually.HoldsAsync(async () => await grains.GetNodeGrain(near.PeerId).Get(ct) is { Capacity.Instances: 1 }, ct, "near publishes that it is full");

        // near is full (-max-instances 1): the next service goes to far, within its hard requirement.
        await mesh.RegisterAsync(hello.Info with { Name = "far-hello", SoftRttMs = 20, HardRttMs = 1000 }, ct);
        var second = await grains.GetServiceGrain("far-hello").Resolve(caller.PeerId, ct);
        Assert.Equal(far.PeerId, second.NodeId);
        Assert.Equal(far.PeerId, Assert.Single(await mesh.ContainersAsync("physarum.service", "far-hello", ct)).Labels["physarum.node"]);

        // Only far has room, and it is ~100 ms away: a 30 ms hard requirement cannot be met, and the error says so.
        await mesh.RegisterAsync(hello.Info with { Name = "strict-hello", SoftRttMs = 10, HardRttMs = 30 }, ct);
        var refused = await Assert.ThrowsAsync<NoInstanceWithinRequirementException>(() => grains.GetServiceGrain("strict-hello").Resolve(caller.PeerId, ct));
        Assert.Contains("hard RTT requirement of 30 ms", refused.Message, StringComparison.Ordinal);
        Assert.Contains(far.PeerId, refused.Message, StringComparison.Ordinal);
        Assert.Empty(await mesh.ContainersAsync("physarum.service", "strict-hello", ct));
    }

    [Fact]
    public async Task Restarting_a_node_with_running_instances_leaves_no_orphan_containers()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct);
        const string service = "restart-hello";
        await mesh.AddHelloWorldAsync(service, ct);
        await mesh.RegisterAsync((await (await mesh.Mesh.ClientAsync(ct)).GetServiceGrain(service).Get(ct))!.Info with { Name = "restart-hello-2" }, ct);

        async Task<string> ResolveBothAsync()
        {
            var grains = await mesh.Mesh.ClientAsync(ct);
            foreach (var name in new[] { service, "restart-hello-2" })
            {
                var instance = await grains.GetServiceGrain(name).Resolve(mesh.Registry.PeerId, ct);
                Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(instance.Endpoint, ct)).Trim());
            }

            var node = mesh.Registry.PeerId;
            Assert.Equal(2, (await mesh.ContainersAsync("physarum.node", node, ct)).Count);
            return node;
        }

        async Task RestartAsync(bool crash)
        {
            var old = mesh.Registry;
            if (crash)
            {
                old.Kill();
                await old.Exited.WaitAsync(ct);
            }
            else
            {
                Assert.Equal(0, await old.StopAsync(ct));
            }

            await mesh.Mesh.ResetClientAsync();
            mesh.Mesh.Nodes.Clear();
            await old.DisposeAsync();
            await mesh.Mesh.StartNodeAsync(ct, ports: old.Ports, keyName: "registry", flags: mesh.RegistryFlags);
        }

        // A clean stop removes its containers on the way out.
        var nodeId = await ResolveBothAsync();
        await RestartAsync(crash: false);
        Assert.Empty(await mesh.ContainersAsync("physarum.node", nodeId, ct));

        // A crash leaves them running; the restarted node (same identity) removes them at start.
        await ResolveBothAsync();
        await RestartAsync(crash: true);
        Assert.Equal(nodeId, mesh.Registry.PeerId);
        await Eventually.HoldsAsync(async () => (await mesh.ContainersAsync("physarum.node", nodeId, ct)).Count == 0, ct, "the restarted node removes what its crashed run left");

        // And it serves again from fresh containers.
        await ResolveBothAsync();
    }

    private static async Task<string> StateAsync(AllocatorMesh mesh, string service, string containerId, CancellationToken ct)
    {
        var found = await mesh.ContainersAsync("physarum.service", service, ct);
        return found.FirstOrDefault(c => c.ID == containerId)?.State ?? "gone";
    }
}
