using System.Net;
using System.Net.Sockets;
using PhysarumSM.Contracts;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// A node on a "machine" of its own (issue 8): a Linux network namespace with its own address, joined to the host by a
/// veth pair. It finds the cluster in Redis across that link, its silo advertises its own address, and its gateway serves
/// a service whose instance runs on the host's node, through the tunnel across the link.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class NetworkNamespaceTests
{
    private const string Service = "netns-hello";

    [Fact]
    public async Task A_node_in_its_own_network_namespace_joins_through_redis_and_serves_across_the_link()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var ct = guard.Token;
        var (ns, why) = await NetworkNamespace.TryCreateAsync(ct);
        // CI runs as root on a machine like this one; elsewhere this says what is missing.
        Assert.True(ns is not null, $"this test needs network namespaces (root, iproute2): {why}");
        await using var _ = ns;
        // Listening on every address: the namespace reaches the host at the veth's host end, not at 127.0.0.1.
        await using var redis = await RedisServer.StartAsync(persistent: false, bind: "0.0.0.0", ct);
        var hostPorts = NodePorts.Allocate();
        await using var mesh = await AllocatorMesh.StartWithRedisAsync(ct, redis.Address, hostPorts, "-p2p-listen-addr", $"0.0.0.0:{hostPorts.P2p}");
        await mesh.AddHelloWorldAsync(Service, ct);

        var ports = NodePorts.Allocate();
        var flags = NodeProcess.Flags(ports, Path.Combine(mesh.Mesh.Directory, "netns.key"), primarySiloPort: null, TestMesh.Psk,
            "-bootstrap", $"/ip4/{ns.HostAddress}/tcp/{hostPorts.P2p}/p2p/{mesh.Registry.PeerId}",
            "-redis", $"{ns.HostAddress}:{redis.Port}",
            "-p2p-listen-addr", $"0.0.0.0:{ports.P2p}",
            "-proxy-listen-addr", $"0.0.0.0:{ports.Proxy}",
            "-no-allocator");
        var inside = NodeProcess.Start(ports, flags, environment: null, ns);
        mesh.Mesh.Nodes.Add(inside);
        await inside.WaitReadyAsync(ct);

        // It is another machine: its gateway answers at its own address, and nothing of it listens on the host's loopback.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var response = await http.GetAsync(new Uri($"http://{ns.Address}:{ports.Proxy}/{Service}/"), ct);
        var answer = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {answer}");   // the gateway's reason, if it refused
        Assert.Equal("Hello, world", answer.Trim());
        Assert.False(await AcceptsAsync(IPAddress.Loopback, ports.Proxy, ct), "the namespaced node's gateway must not be on the host's loopback");

        // Its silo joined through Redis with its own address, and the instance runs on the host's node.
        var grains = await mesh.Mesh.ClientAsync(ct);
        var peerId = inside.Lines.First(l => l.StartsWith("peer id: ", StringComparison.Ordinal))["peer id: ".Length..];
        var nodes = await grains.GetMeshDirectory().ListNodes(ct);
        var listed = Assert.Single(nodes, n => n.Info.PeerId == peerId);
        Assert.False(listed.IsStale);
        Assert.Equal(IPAddress.Parse(ns.Address), listed.Info.Silo!.Endpoint.Address);
        var container = Assert.Single(await mesh.ContainersAsync("physarum.service", Service, ct));
        Assert.Equal(mesh.Registry.PeerId, container.Labels["physarum.node"]);
        Assert.Contains(inside.Lines, l => l.Contains("connected to " + mesh.Registry.PeerId, StringComparison.Ordinal) && l.Contains(ns.HostAddress, StringComparison.Ordinal));
    }

    private static async Task<bool> AcceptsAsync(IPAddress address, int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

}
