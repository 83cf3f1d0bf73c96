using PhysarumSM.Contracts;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>Real physarum-node processes (and a js-libp2p peer) on one machine: the issue-3 acceptance checks.</summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class MeshIntegrationTests
{
    private static CancellationTokenSource Guard(int minutes = 3) => new(TimeSpan.FromMinutes(minutes));

    [Fact]
    public async Task Three_nodes_and_a_js_peer_mesh_and_every_node_reports_rtt_to_every_other_peer()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = new TestMesh();
        var a = await mesh.StartNodeAsync(ct);
        var b = await mesh.StartNodeAsync(ct);
        var c = await mesh.StartNodeAsync(ct);
        await using var js = await JsPeer.StartAsync(TestMesh.Psk, ct: ct);
        await js.DialAsync(a.Address, ct);

        var nodes = new[] { a, b, c };
        foreach (var node in nodes)
        {
            foreach (var target in nodes.Where(n => n != node).Select(n => n.PeerId).Append(js.PeerId))
            {
                await Eventually.HoldsAsync(
                    async () => await mesh.GaugeAsync(node, "ping_rtt", target, ct) is not null
                        && await mesh.GaugeAsync(node, "ping_ewma_rtt", target, ct) is not null,
                    ct, $"{node.PeerId} reports ping_rtt/ping_ewma_rtt for {target}");
            }
        }

        // Each node names itself for dashboards: its peer ID (what targetHost holds elsewhere) with its -hostname.
        foreach (var node in nodes)
        {
            var info = (await node.ScrapeAsync(mesh.Http, ct)).Where(s => s.Name == "physarum_node_info").ToList();
            var self = Assert.Single(info);
            Assert.Equal(node.PeerId, self.Labels["node"]);
            Assert.Equal(Environment.MachineName, self.Labels["host"]);   // the default -hostname
            Assert.Equal(1, self.Value);
        }

        // The link grains hold the figures the monitor exported (EWMA moves slowly; reports are batched).
        var grains = await mesh.ClientAsync(ct);
        foreach (var node in nodes)
        {
            foreach (var target in nodes.Where(n => n != node))
            {
                await Eventually.HoldsAsync(async () =>
                {
                    var link = await grains.GetPeerLinkGrain(node.PeerId, target.PeerId).Get(ct);
                    var exported = await mesh.GaugeAsync(node, "ping_ewma_rtt", target.PeerId, ct);
                    return link is not null && exported is not null && link.SampleCount > 3
                        && Math.Abs(link.EwmaRttMs - exported.Value) <= Math.Max(2.0, exported.Value * 0.5);
                }, ct, $"link grain {node.PeerId}->{target.PeerId} matches the exported EWMA");
            }
        }

        var matrix = await grains.GetMeshDirectory().GetRttMatrix(ct);
        Assert.Superset(nodes.Select(n => n.PeerId).ToHashSet(), matrix.Nodes.ToHashSet());
    }

    [Fact]
    public async Task Injected_50ms_one_way_delay_shows_as_about_100ms_rtt_while_other_pairs_stay_fast()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = new TestMesh();
        var a = await mesh.StartNodeAsync(ct);
        await using var relay = new LatencyRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, a.Ports.P2p)) { OneWayDelay = TimeSpan.FromMilliseconds(50) };
        var slow = await mesh.StartNodeAsync(ct, bootstrap: $"{relay.ListenAddress}/p2p/{a.PeerId}");
        var c = await mesh.StartNodeAsync(ct);

        await Eventually.HoldsAsync(async () =>
        {
            var delayed = await mesh.GaugeAsync(slow, "ping_ewma_rtt", a.PeerId, ct);
            var delayedLast = await mesh.GaugeAsync(slow, "ping_rtt", a.PeerId, ct);
            return delayed is >= 80 and <= 120 && delayedLast is >= 80 and <= 120;
        }, ct, "slow->a RTT settles at about 100 ms");

        // The other pairs settle near 0 (the first pings of a fresh process are slow while it compiles, and the
        // EWMA remembers them for a while, so the last RTT is what is compared).
        await Eventually.HoldsAsync(async () =>
            await mesh.GaugeAsync(slow, "ping_rtt", c.PeerId, ct) is < 20 && await mesh.GaugeAsync(c, "ping_rtt", a.PeerId, ct) is < 20,
            ct, "slow->c and c->a stay fast (< 20 ms)");

        var grains = await mesh.ClientAsync(ct);
        await Eventually.HoldsAsync(async () =>
            await grains.GetPeerLinkGrain(slow.PeerId, a.PeerId).Get(ct) is { LastRttMs: >= 80 and <= 120 }, ct, "link grain holds ~100 ms");
    }

    [Fact]
    public async Task A_node_with_the_wrong_psk_cannot_join_says_why_and_the_others_are_unaffected()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = new TestMesh();
        var a = await mesh.StartNodeAsync(ct);
        var b = await mesh.StartNodeAsync(ct);
        var intruder = await mesh.StartNodeAsync(ct, psk: "wrong-psk", waitReady: false);

        // Its bootstrap attempts fail in the handshake, and each failure names the likely cause.
        await Eventually.HoldsAsync(() => Task.FromResult(intruder.Lines.Any(l => l.Contains("PSK", StringComparison.Ordinal))), ct, "the intruder's log names the PSK");
        Assert.DoesNotContain("physarum-node ready", intruder.Lines);

        await Eventually.HoldsAsync(async () => await mesh.GaugeAsync(b, "ping_rtt", a.PeerId, ct) is not null, ct);
        var samples = await a.ScrapeAsync(mesh.Http, ct);
        Assert.DoesNotContain(samples, s => s.Labels.GetValueOrDefault("targetHost") == intruder.PeerIdOrNull());
    }

    [Fact]
    public async Task Killed_bootstrap_restarts_and_the_others_reconnect_and_metrics_resume()
    {
        using var guard = Guard(4);
        var ct = guard.Token;
        await using var redis = await RedisServer.StartAsync(ct);
        await using var mesh = new TestMesh { Redis = redis.Address };
        var a = await mesh.StartNodeAsync(ct, keyName: "bootstrap");
        var b = await mesh.StartNodeAsync(ct);
        var c = await mesh.StartNodeAsync(ct);
        await Eventually.HoldsAsync(async () => await mesh.GaugeAsync(b, "ping_rtt", a.PeerId, ct) is not null, ct);

        a.Kill();
        await a.Exited.WaitAsync(ct);
        var restarted = await mesh.StartNodeAsync(ct, bootstrap: b.Address, ports: a.Ports, keyName: "bootstrap");
        Assert.Equal(a.PeerId, restarted.PeerId);

        var before = await mesh.GaugeAsync(b, "ping_rtt", a.PeerId, ct);
        foreach (var node in new[] { b, c })
        {
            await Eventually.HoldsAsync(
                async () => node.Lines.Any(l => l.Contains($"connected to {a.PeerId}", StringComparison.Ordinal) && l.Contains("Outbound", StringComparison.Ordinal))
                    && await mesh.GaugeAsync(node, "ping_rtt", a.PeerId, ct) is not null,
                ct, $"{node.PeerId} reconnects to the restarted bootstrap");
        }

        await Eventually.HoldsAsync(async () => await mesh.GaugeAsync(restarted, "ping_rtt", b.PeerId, ct) is not null, ct, "restarted node measures again");
        Assert.NotNull(before);
    }
}

/// <summary>Node-process tests run one at a time: each starts several processes on a 2-core machine.</summary>
[CollectionDefinition(nameof(NodeProcessCollection), DisableParallelization = true)]
public sealed class NodeProcessCollection;

internal static class NodeProcessExtensions
{
    /// <summary>The peer ID, or null when the node died before printing its addresses.</summary>
    public static string? PeerIdOrNull(this NodeProcess node) =>
        node.Lines.Any(l => l.StartsWith("listening: ", StringComparison.Ordinal)) ? node.PeerId : null;
}
