using System.Globalization;
using System.Net;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// `physarum proxy`, the original's standalone proxy (Getting Started step 7), as a real process against real nodes,
/// etcd and Docker: resolve on the nearest node over /physarum/resolve/1.0.0, tunnel straight to the instance's node,
/// fall back to the next node when one goes away, and say why when it cannot join the mesh or listen.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class ProxyIntegrationTests
{
    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Getting_started_a_request_through_the_proxy_starts_hello_world_on_a_node_and_answers()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct);
        var node = mesh.Registry;
        await mesh.AddHelloWorldAsync("hello-world-server", ct);
        var ports = FreePorts.Take(2);
        await using var proxy = await StartProxyAsync(node.Address, ports[0], ct, "--metrics", $"127.0.0.1:{ports[1]}");
        using var http = Http();
        var gateway = ProxyUri(ports[0]);

        // The cold start goes proxy -> resolve on the node -> container started there -> tunnel to it.
        Assert.Equal("Hello, world", (await http.GetStringAsync(new Uri(gateway, "hello-world-server/"), ct)).Trim());
        var container = Assert.Single(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));
        Assert.Equal("running", container.State);
        Assert.Equal(node.PeerId, container.Labels["physarum.node"]);

        // Warm: the cached route, any path, the same instance.
        Assert.Equal("Hello, world", (await http.GetStringAsync(new Uri(gateway, "hello-world-server/some/path?x=1"), ct)).Trim());
        Assert.Single(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));

        // An unknown service is a 404 that names it (the node's registry answered through the resolve protocol).
        using var unknown = await http.GetAsync(new Uri(gateway, "no-such-service/"), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'no-such-service' is not registered", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // The proxy's own gateway series on --metrics, as a node's gateway has them.
        var samples = MetricSample.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[1]}/metrics"), ct));
        Assert.Equal(2, Sample(samples, "physarum_proxy_requests_total", ("service", "hello-world-server"), ("code", "200")));
        Assert.Equal(1, Sample(samples, "physarum_cold_starts_total", ("service", "hello-world-server")));
        Assert.Equal(1, Sample(samples, "physarum_proxy_requests_total", ("service", "(unknown)"), ("code", "404")));

        Assert.Equal(0, await proxy.StopAsync(ct));
    }

    [Fact]
    public async Task When_its_node_goes_away_the_proxy_resolves_through_the_next_connected_node()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct);   // the registry node is the only allocator
        var worker = await mesh.Mesh.StartNodeAsync(ct, keyName: "worker", flags: ["-no-allocator"]);
        var record = await mesh.AddHelloWorldAsync("fallback-hello", ct);
        await mesh.RegisterAsync(record.Info with { Name = "fallback-other" }, ct);

        // The proxy reaches the worker through a relay, so the worker can "go away" for the proxy alone while the mesh
        // (its silos and grains) stays as it is.
        await using var relay = new LatencyRelay(new IPEndPoint(IPAddress.Loopback, worker.Ports.P2p));
        var port = FreePorts.Take(1)[0];
        await using var proxy = await StartProxyAsync($"{relay.ListenAddress}/p2p/{worker.PeerId}", port, ct);
        using var http = Http();

        // Resolved by the worker (the proxy's only node), run on the registry node, reached by a tunnel straight to it.
        Assert.Equal("Hello, world", (await http.GetStringAsync(new Uri(ProxyUri(port), "fallback-hello/"), ct)).Trim());
        Assert.Equal(mesh.Registry.PeerId, Assert.Single(await mesh.ContainersAsync("physarum.service", "fallback-hello", ct)).Labels["physarum.node"]);
        Assert.Contains(worker.Lines, l => l.Contains("resolve 'fallback-hello' for ", StringComparison.Ordinal));

        // The worker goes away; the registry node, connected since the tunnel, is the next node and resolves now.
        await relay.DisposeAsync();
        await Eventually.HoldsAsync(() => proxy.Error.Any(l => l.Contains($"connection to node {worker.PeerId} closed", StringComparison.Ordinal)), ct);
        using var other = await http.GetAsync(new Uri(ProxyUri(port), "fallback-other/"), ct);
        var answer = await other.Content.ReadAsStringAsync(ct);
        Assert.True(other.StatusCode == HttpStatusCode.OK, $"{(int)other.StatusCode} {answer}\n{proxy}");
        Assert.Equal("Hello, world", answer.Trim());
        Assert.Equal(mesh.Registry.PeerId, Assert.Single(await mesh.ContainersAsync("physarum.service", "fallback-other", ct)).Labels["physarum.node"]);
        Assert.Contains(mesh.Registry.Lines, l => l.Contains("resolve 'fallback-other' for ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_proxy_that_cannot_join_the_mesh_or_listen_says_why_and_exits_with_its_code()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = new TestMesh();
        var node = await mesh.StartNodeAsync(ct, flags: ["-no-allocator"]);
        var port = Text(FreePorts.Take(1)[0]);

        var wrongPsk = await CliProcess.RunAsync(["--bootstrap", node.Address, "--psk", "not-the-mesh-psk", "proxy", port], ct);
        AssertRefused(wrongPsk, 3, "no bootstrap node reachable", "--psk");

        var deadAddress = $"/ip4/127.0.0.1/tcp/{FreePorts.Take(1)[0]}/p2p/{node.PeerId}";
        var unreachable = await CliProcess.RunAsync(["--bootstrap", deadAddress, "--psk", TestMesh.Psk, "proxy", port], ct);
        AssertRefused(unreachable, 3, "no bootstrap node reachable", deadAddress);

        var noBootstrap = await CliProcess.RunAsync(["proxy", port], ct);
        AssertRefused(noBootstrap, 3, "no bootstrap given");

        // The node's metrics port is taken: the message names it.
        var busy = await CliProcess.RunAsync(["--bootstrap", node.Address, "--psk", TestMesh.Psk, "proxy", Text(node.Ports.Metrics)], ct);
        AssertRefused(busy, 1, $"127.0.0.1:{node.Ports.Metrics}", "address already in use");

        var badPort = await CliProcess.RunAsync(["--bootstrap", node.Address, "--psk", TestMesh.Psk, "proxy", "70000"], ct);
        AssertRefused(badPort, 2, "PORT");
    }

    private static async Task<CliHandle> StartProxyAsync(string bootstrap, int port, CancellationToken ct, params string[] flags)
    {
        var proxy = CliProcess.Start(["--bootstrap", bootstrap, "--psk", TestMesh.Psk, "proxy", .. flags, Text(port)]);
        try
        {
            await proxy.WaitForLineAsync($"proxy listening on http://127.0.0.1:{port}", ct);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    private static void AssertRefused(CliResult result, int exitCode, params string[] said)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.DoesNotContain("proxy listening", result.Output, StringComparison.Ordinal);
        Assert.All(said, text => Assert.Contains(text, result.Error, StringComparison.Ordinal));
    }

    // A cold start may take a while on a busy machine; the gateway's own cold-start timeout bounds it.
    private static HttpClient Http() => new() { Timeout = TimeSpan.FromSeconds(60) };

    private static Uri ProxyUri(int port) => new($"http://127.0.0.1:{port}/");

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static double? Sample(IReadOnlyList<MetricSample> samples, string name, params (string Label, string Value)[] labels) =>
        samples.FirstOrDefault(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value))?.Value;
}
