using PhysarumSM.TestKit;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Multistream;
using PhysarumSM.Node.Overlay;
using PhysarumSM.Node.Tests.Support;

namespace PhysarumSM.Node.Tests.Overlay;

public sealed class PeerExchangeMeshTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Five_nodes_given_only_the_first_as_bootstrap_end_up_fully_meshed_and_stop_cleanly()
    {
        using var cts = new CancellationTokenSource(Guard);
        var nodes = new List<OverlayNode>();
        try
        {
            nodes.Add(await OverlayNode.StartAsync([], cts.Token));
            var bootstrap = nodes[0].Host.DialAddress();
            var joining = Enumerable.Range(0, 4).Select(_ => OverlayNode.StartAsync([bootstrap], cts.Token));
            nodes.AddRange(await Task.WhenAll(joining));

            await Eventually.HoldsAsync(() => nodes.All(n => n.Host.ConnectedPeers.Count == 4), cts.Token);
            foreach (var node in nodes)
            {
                Assert.Equal(
                    nodes.Where(o => o != node).Select(o => o.PeerId).OrderBy(p => p.ToString()),
                    node.Host.ConnectedPeers.OrderBy(p => p.ToString()));
            }

            foreach (var node in nodes)
            {
                await node.StopAsync(cts.Token);
                Assert.Equal(0, node.Exchange.RunningTasks);
                Assert.Equal(0, node.Bootstrap.RunningTasks);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_peer_that_speaks_only_identify_joins_the_mesh_quietly()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var first = await OverlayNode.StartAsync([], cts.Token);
        await using var second = await OverlayNode.StartAsync([first.Host.DialAddress()], cts.Token);
        await using var third = await OverlayNode.StartAsync([first.Host.DialAddress()], cts.Token);

        // Like a js-libp2p peer: ping and identify only, dials one bootstrap, answers "na" to our protocol.
        await using var plain = await LoopbackHosts.StartAsync();
        await plain.ConnectAsync(first.Host.DialAddress(), cts.Token);

        await Eventually.HoldsAsync(
            () => new[] { first, second, third }.All(n => n.Host.GetConnection(plain.PeerId) is not null) && plain.ConnectedPeers.Count == 3,
            cts.Token);
        await Assert.ThrowsAsync<ProtocolNotSupportedException>(() => second.Exchange.RequestPeersAsync(plain.PeerId, cts.Token));
        foreach (var node in new[] { first, second, third })
        {
            Assert.DoesNotContain(node.Log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        }
    }

    [Fact]
    public async Task The_answer_lists_connected_peers_with_listen_addresses_but_not_the_asker()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var hub = await OverlayNode.StartAsync([], cts.Token, o => o.MaxMeshPeers = 0);
        await using var asker = await OverlayNode.StartAsync([hub.Host.DialAddress()], cts.Token, o => o.MaxMeshPeers = 0);
        await using var other = await LoopbackHosts.StartAsync();
        await other.ConnectAsync(hub.Host.DialAddress(), cts.Token);
        await Eventually.HoldsAsync(() => hub.Host.PeerStore.GetIdentify(other.PeerId) is not null, cts.Token);

        var answer = await asker.Exchange.RequestPeersAsync(hub.PeerId, cts.Token);

        var advert = Assert.Single(answer.Peers);
        Assert.Equal(other.PeerId, advert.Peer);
        Assert.Contains(other.ListenAddresses[0], advert.Addresses);
        Assert.Equal(0, answer.SkippedPeers);
        Assert.Null(asker.Host.GetConnection(other.PeerId)); // MaxMeshPeers = 0: learned, not dialled
    }

    [Fact]
    public async Task Dialling_stops_at_MaxMeshPeers()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var hub = await OverlayNode.StartAsync([], cts.Token, o => o.MaxMeshPeers = 0);
        var leaves = new List<PhysarumSM.Libp2p.Host.Libp2pHost>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var leaf = await LoopbackHosts.StartAsync();
                leaves.Add(leaf);
                await leaf.ConnectAsync(hub.Host.DialAddress(), cts.Token);
            }

            await Eventually.HoldsAsync(() => leaves.All(l => hub.Host.PeerStore.GetIdentify(l.PeerId) is not null), cts.Token);
            await using var node = await OverlayNode.StartAsync([hub.Host.DialAddress()], cts.Token, o => o.MaxMeshPeers = 3);

            await Eventually.HoldsAsync(() => node.Host.ConnectedPeers.Count == 3, cts.Token);
            await Eventually.HoldsAsync(() => node.Exchange.CandidateCount >= 4, cts.Token);
            for (var round = 0; round < 5; round++)
            {
                // Several exchange and dial rounds pass: none may push the mesh past its bound.
                var exchanged = node.Log.WithEvent(3023).Count;
                await Eventually.HoldsAsync(() => node.Log.WithEvent(3023).Count > exchanged, cts.Token);
                Assert.Equal(3, node.Host.ConnectedPeers.Count);
            }
        }
        finally
        {
            foreach (var leaf in leaves)
            {
                await leaf.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Failed_dials_back_off_per_peer_and_hopeless_peers_are_forgotten()
    {
        using var cts = new CancellationTokenSource(Guard);
        var ghost = PhysarumSM.Libp2p.Crypto.IdentityKey.Generate().PeerId;
        var ghostAddress = LoopbackHosts.ClosedAddress();
        await using var liar = await LoopbackHosts.StartAsync();
        liar.SetStreamHandler(PeerExchange.ProtocolId, async (stream, ct) =>
        {
            await PeerExchangeWire.ReadFrameAsync(stream.Stream, PeerExchangeWire.MaxRequestBytes, ct);
            var answer = PeerExchangeWire.EncodeAnswer([new PeerAdvert(ghost, [ghostAddress])], 1024);
            await PeerExchangeWire.WriteFrameAsync(stream.Stream, answer, ct);
            await stream.CloseWriteAsync(ct);
        });
        await using var node = await OverlayNode.StartAsync([liar.DialAddress()], cts.Token, o =>
        {
            o.ExchangeInterval = TimeSpan.FromHours(1); // learn the ghost once
            o.DialBackoffInitial = TimeSpan.FromMilliseconds(20);
            o.DialBackoffMax = TimeSpan.FromMilliseconds(80);
            o.ForgetAfterFailures = 5;
        });

        await Eventually.HoldsAsync(() => node.Log.WithEvent(3026).Count == 1, cts.Token);

        var failures = node.Log.WithEvent(3025).Where(e => Equals(e.State["Peer"], ghost)).ToArray();
        Assert.Equal([1, 2, 3, 4], failures.Select(e => (int)e.State["Failures"]!));
        Assert.Equal([20, 40, 80, 80], failures.Select(e => (int)((TimeSpan)e.State["Delay"]!).TotalMilliseconds));
        Assert.Equal(1, node.Exchange.CandidateCount); // only the liar itself (known from identify) remains
    }
}
