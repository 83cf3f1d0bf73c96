using PhysarumSM.TestKit;
using System.Net.Sockets;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Protocols.Identify;
using PhysarumSM.Libp2p.Protocols.Ping;

namespace PhysarumSM.Libp2p.Tests.Host;

public sealed class Libp2pHostTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(null)]
    [InlineData("toInfinityAndBeyond!")]
    public async Task Two_hosts_connect_ping_identify_and_echo_100_streams(string? psk)
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync(psk);
        await using var b = await TestHosts.StartAsync(psk);

        var connection = await a.ConnectAsync(b.DialAddress(), cts.Token);
        Assert.Equal(b.PeerId, connection.RemotePeer);

        var rtt = await a.PingAsync(b.PeerId, cts.Token);
        Assert.True(rtt > TimeSpan.Zero);

        var info = await a.IdentifyAsync(b.PeerId, cts.Token);
        Assert.StartsWith("physarum/", info.AgentVersion);
        Assert.Contains(PingProtocol.Id, info.Protocols);
        Assert.Contains(IdentifyProtocol.Id, info.Protocols);
        Assert.Contains(b.ListenAddresses[0], info.ListenAddresses);
        Assert.NotNull(info.ObservedAddress);

        var echoes = Enumerable.Range(0, 100).Select(async i =>
        {
            var payload = TestHosts.Payload(i, 1 << 20);
            var echoed = await TestHosts.EchoAsync(connection, payload, cts.Token);
            return payload.AsSpan().SequenceEqual(echoed);
        }).ToArray();
        Assert.All(await Task.WhenAll(echoes), Assert.True);
    }

    [Theory]
    [InlineData("one", "two")]
    [InlineData("one", null)]
    [InlineData(null, "two")]
    public async Task Mismatched_psk_fails_with_a_clear_handshake_error(string? dialerPsk, string? listenerPsk)
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync(dialerPsk, o => o.HandshakeTimeout = TimeSpan.FromSeconds(2));
        await using var b = await TestHosts.StartAsync(listenerPsk, o => o.HandshakeTimeout = TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<HandshakeException>(() => a.ConnectAsync(b.DialAddress(), cts.Token));
        Assert.Contains("PSK", error.Message);
        Assert.Empty(a.ConnectedPeers);
        Assert.Empty(b.ConnectedPeers);
    }

    [Fact]
    public async Task Dialing_the_wrong_peer_id_is_refused()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync();
        await using var b = await TestHosts.StartAsync();
        await using var c = await TestHosts.StartAsync();

        var wrong = b.ListenAddresses[0].WithPeerId(c.PeerId);
        await Assert.ThrowsAsync<HandshakeException>(() => a.ConnectAsync(wrong, cts.Token));
    }

    [Fact]
    public async Task Simultaneous_dials_settle_on_one_connection_per_peer()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync(configure: o => o.DuplicateConnectionGrace = TimeSpan.FromMilliseconds(200));
        await using var b = await TestHosts.StartAsync(configure: o => o.DuplicateConnectionGrace = TimeSpan.FromMilliseconds(200));

        var fromA = a.ConnectAsync(b.DialAddress(), cts.Token);
        var fromB = b.ConnectAsync(a.DialAddress(), cts.Token);
        await Task.WhenAll(fromA, fromB);

        // Both sides keep the same connection (the one dialled by the smaller peer ID) once each has
        // registered both; the other is closed after the grace period.
        await Eventually.HoldsAsync(() =>
        {
            var kept = a.GetConnection(b.PeerId);
            var keptOther = b.GetConnection(a.PeerId);
            return kept is not null && keptOther is not null
                && kept.LocalAddress == keptOther.RemoteAddress && kept.RemoteAddress == keptOther.LocalAddress;
        }, cts.Token);
        Assert.Equal(b.PeerId, Assert.Single(a.ConnectedPeers));
        await a.PingAsync(b.PeerId, cts.Token);
    }

    [Fact]
    public async Task Concurrent_dials_to_one_peer_share_a_single_connection()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync();
        await using var b = await TestHosts.StartAsync();

        var connections = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => a.ConnectAsync(b.DialAddress(), cts.Token)));
        Assert.All(connections, c => Assert.Same(connections[0], c));
    }

    [Fact]
    public async Task Events_report_connect_and_disconnect()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync();
        await using var b = await TestHosts.StartAsync();
        var connected = new TaskCompletionSource<PeerConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnected = new TaskCompletionSource<PeerConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.PeerConnected += (_, e) => connected.TrySetResult(e);
        b.PeerDisconnected += (_, e) => disconnected.TrySetResult(e);

        await a.ConnectAsync(b.DialAddress(), cts.Token);
        Assert.Equal(a.PeerId, (await connected.Task.WaitAsync(cts.Token)).Peer);
        await a.DisconnectAsync(b.PeerId, cts.Token);
        Assert.Equal(a.PeerId, (await disconnected.Task.WaitAsync(cts.Token)).Peer);
    }

    [Fact]
    public async Task Garbage_on_a_connection_is_dropped_and_the_host_keeps_serving()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var b = await TestHosts.StartAsync();
        b.ListenAddresses[0].TryGetTcpTarget(out var host, out var port);
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cts.Token);
            var garbage = new byte[random.Next(1, 5000)];
            random.NextBytes(garbage);
            if (i % 2 == 0)
            {
                // Half the time a valid multistream prelude first, so garbage reaches Noise.
                await client.GetStream().WriteAsync("\u0013/multistream/1.0.0\n\u0007/noise\n"u8.ToArray(), cts.Token);
            }

            try
            {
                await client.GetStream().WriteAsync(garbage, cts.Token);
            }
            catch (IOException)
            {
                // The host may already have closed it; that is the point.
            }
        }

        await using var a = await TestHosts.StartAsync();
        await a.ConnectAsync(b.DialAddress(), cts.Token);
        await a.PingAsync(b.PeerId, cts.Token);
    }

    [Fact]
    public async Task Unsupported_protocol_gives_a_clear_error_and_the_connection_survives()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await TestHosts.StartAsync();
        await using var b = await TestHosts.StartAsync();
        var connection = await a.ConnectAsync(b.DialAddress(), cts.Token);
        await Assert.ThrowsAsync<PhysarumSM.Libp2p.Multistream.ProtocolNotSupportedException>(() => connection.NewStreamAsync(["/nope/1.0.0"], cts.Token));
        await a.PingAsync(b.PeerId, cts.Token);
    }

    [Fact]
    public async Task Dispose_ends_every_task_the_host_started()
    {
        using var cts = new CancellationTokenSource(Guard);
        var a = await TestHosts.StartAsync();
        var b = await TestHosts.StartAsync();
        var connection = await a.ConnectAsync(b.DialAddress(), cts.Token);
        var open = await connection.NewStreamAsync([Protocols.Diagnostics.DiagnosticProtocols.Echo], cts.Token);
        await a.PingAsync(b.PeerId, cts.Token);

        await b.DisposeAsync();
        await a.DisposeAsync();
        Assert.Equal(0, a.RunningTasks);
        Assert.Equal(0, b.RunningTasks);
        await Assert.ThrowsAnyAsync<Exception>(async () => await open.Stream.WriteAsync(new byte[1], cts.Token));
    }
}
