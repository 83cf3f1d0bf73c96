using System.Net;
using System.Text.Json;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// The data path through real nodes, real etcd and the real Docker engine (issue 6): the Getting Started request,
/// the remote path through the tunnel, and the gateway's refusals.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class GatewayIntegrationTests
{
    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Getting_started_a_request_to_the_gateway_starts_hello_world_and_answers()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct);
        var node = mesh.Registry;
        await mesh.AddHelloWorldAsync("hello-world-server", ct);

        // The first request waits for the cold start; no retry by the client.
        var gateway = node.Ports.ProxyUri;
        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(new Uri(gateway, "hello-world-server/"), ct)).Trim());
        var container = Assert.Single(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));
        Assert.Equal("running", container.State);
        Assert.Equal(node.PeerId, container.Labels["physarum.node"]);

        // Warm: any path and query go to the instance without the service segment.
        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(new Uri(gateway, "hello-world-server/some/path?x=1"), ct)).Trim());
        Assert.Single(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));
        Assert.Equal(2, await mesh.MetricAsync(node, "physarum_proxy_requests_total", ct, ("service", "hello-world-server"), ("code", "200")));
        Assert.Equal(1, await mesh.MetricAsync(node, "physarum_cold_starts_total", ct, ("service", "hello-world-server")));
        Assert.Equal(2, await mesh.MetricAsync(node, "physarum_proxy_request_seconds_count", ct, ("service", "hello-world-server")));

        // An unknown service is a 404 that names it.
        using var unknown = await mesh.Mesh.Http.GetAsync(new Uri(gateway, "no-such-service/"), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'no-such-service' is not registered", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // Deleting the service stops its instance at once, and the gateway's warm route gives way to a 404.
        var delete = await CliProcess.RunAsync(["--bootstrap", node.Address, "--psk", TestMesh.Psk, "service", "delete", "hello-world-server"], ct);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));
        using var deleted = await mesh.Mesh.Http.GetAsync(new Uri(gateway, "hello-world-server/"), ct);
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        Assert.Contains("'hello-world-server' is not registered", await deleted.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Empty(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));
    }

    [Fact]
    public async Task A_request_at_a_node_without_capacity_is_served_through_the_tunnel_by_another_node()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct, "-no-allocator");
        var entry = mesh.Registry;
        // The worker's identity comes from `physarum keygen`, so its peer ID is known before it starts (as a deploy would).
        var keygen = await CliProcess.RunAsync(["keygen", Path.Combine(mesh.Mesh.Directory, "worker.key")], ct);
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        var worker = await mesh.Mesh.StartNodeAsync(ct, keyName: "worker");
        Assert.Equal(keygen.Output.Trim(), worker.PeerId);
        await mesh.AddHelloWorldAsync("tunnel-hello", ct);

        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(new Uri(entry.Ports.ProxyUri, "tunnel-hello/"), ct)).Trim());
        var container = Assert.Single(await mesh.ContainersAsync("physarum.service", "tunnel-hello", ct));
        Assert.Equal(worker.PeerId, container.Labels["physarum.node"]);

        // Many requests on the kept-alive tunnel, in parallel.
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => mesh.Mesh.Http.GetStringAsync(new Uri(entry.Ports.ProxyUri, $"tunnel-hello/{i}"), ct)));
        Assert.All(answers, a => Assert.Equal("Hello, world", a.Trim()));
        Assert.Single(await mesh.ContainersAsync("physarum.service", "tunnel-hello", ct));

        // `physarum status` through the entry node shows both nodes, the measured link and the worker's instance
        // (nodes publish their instances every few seconds, hence the wait).
        MeshStatus? status = null;
        await Eventually.HoldsAsync(async () =>
        {
            status = await StatusAsync(entry, ct);
            return status.Nodes.Any(n => n.Instances.Any(i => i.Service == "tunnel-hello" && i.Requests > 0));
        }, ct, "the worker publishes its instance");
        Assert.Equal(entry.PeerId, status!.AnsweredBy);
        Assert.Equal(1, status.Services);
        var self = Assert.Single(status.Nodes, n => n.PeerId == entry.PeerId);
        var host = Assert.Single(status.Nodes, n => n.PeerId == worker.PeerId);
        Assert.Equal(0, self.RttMs);
        Assert.True(host.RttMs > 0, $"the worker's RTT from the entry node is measured: {host.RttMs}");
        Assert.False(self.Stale || host.Stale);
        Assert.DoesNotContain("allocator", self.Roles, StringComparison.Ordinal);
        Assert.Contains("allocator", host.Roles, StringComparison.Ordinal);
        var instance = Assert.Single(host.Instances);
        Assert.Equal(container.ID, instance.ContainerId);
        Assert.False(instance.Paused);

        var table = await CliProcess.RunAsync(["--bootstrap", entry.Address, "--psk", TestMesh.Psk, "status"], ct);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("2 node(s), 2 live; 1 instance(s) running; services registered: 1", table.Output, StringComparison.Ordinal);
        Assert.Contains(worker.PeerId, table.Output, StringComparison.Ordinal);
        Assert.Matches(@"tunnel-hello\s+0\s+running", table.Output);
    }

    private static async Task<MeshStatus> StatusAsync(NodeProcess via, CancellationToken ct)
    {
        var result = await CliProcess.RunAsync(["--bootstrap", via.Address, "--psk", TestMesh.Psk, "status", "--json"], ct);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonSerializer.Deserialize<MeshStatus>(result.Output, RegistryWire.Json)!;
    }

    [Fact]
    public async Task With_no_allocator_in_the_mesh_the_gateway_answers_503_saying_why()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct, "-no-allocator");
        await mesh.AddHelloWorldAsync("lonely-hello", ct);

        using var response = await mesh.Mesh.Http.GetAsync(new Uri(mesh.Registry.Ports.ProxyUri, "lonely-hello/"), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no live allocator node", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Empty(await mesh.ContainersAsync("physarum.service", "lonely-hello", ct));
    }
}
