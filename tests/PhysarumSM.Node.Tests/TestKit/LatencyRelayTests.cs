using System.Net.Sockets;
using PhysarumSM.Node.Tests.Support;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.TestKit;

public sealed class LatencyRelayTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ping_through_a_relay_with_50_ms_one_way_delay_takes_about_100_ms()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await LoopbackHosts.StartAsync();
        await using var b = await LoopbackHosts.StartAsync();
        await using var relay = new LatencyRelay(a.ListenAddresses[0], TimeSpan.FromMilliseconds(50));

        await b.ConnectAsync(relay.ListenAddress.WithPeerId(a.PeerId), cts.Token);
        var rtt = await MedianPingAsync(b, a, 5, cts.Token);

        // A functional check that the delay is injected both ways, not a speed assertion.
        Assert.InRange(rtt.TotalMilliseconds, 80, 200);
    }

    [Fact]
    public async Task Delay_changes_at_runtime()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var a = await LoopbackHosts.StartAsync();
        await using var b = await LoopbackHosts.StartAsync();
        await using var relay = new LatencyRelay(a.ListenAddresses[0]);
        await b.ConnectAsync(relay.ListenAddress.WithPeerId(a.PeerId), cts.Token);

        relay.OneWayDelay = TimeSpan.FromMilliseconds(100);
        var slow = await MedianPingAsync(b, a, 3, cts.Token);
        relay.OneWayDelay = TimeSpan.Zero;
        var fast = await MedianPingAsync(b, a, 3, cts.Token);

        // Lower bound only for the delayed RTT: the relay can never deliver earlier than asked.
        Assert.True(slow >= TimeSpan.FromMilliseconds(195), $"RTT with 100 ms one-way delay was {slow.TotalMilliseconds} ms");
        Assert.True(fast < slow, $"RTT without delay ({fast.TotalMilliseconds} ms) is not below RTT with delay ({slow.TotalMilliseconds} ms)");
    }

    [Fact]
    public async Task Echo_of_4_MiB_through_the_relay_is_intact_and_in_order()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var echo = new TcpEchoServer();
        await using var relay = new LatencyRelay(echo.EndPoint, TimeSpan.FromMilliseconds(20));
        var payload = new byte[4 << 20];
        new Random(42).NextBytes(payload);

        var echoed = await TcpEchoServer.EchoThroughAsync(relay.EndPoint, payload, cts.Token);

        Assert.Equal(payload.Length, echoed.Length);
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "echoed bytes differ");
    }

    [Fact]
    public async Task Many_concurrent_connections_are_relayed_independently()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var echo = new TcpEchoServer();
        await using var relay = new LatencyRelay(echo.EndPoint, TimeSpan.FromMilliseconds(5));

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            var payload = new byte[128 * 1024 + i];
            new Random(i).NextBytes(payload);
            var echoed = await TcpEchoServer.EchoThroughAsync(relay.EndPoint, payload, cts.Token);
            return payload.AsSpan().SequenceEqual(echoed);
        }));

        Assert.All(results, Assert.True);
        await Eventually.HoldsAsync(() => relay.ActiveConnections == 0, cts.Token);
    }

    [Fact]
    public async Task Dispose_closes_every_connection_and_stops_listening()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var echo = new TcpEchoServer();
        var relay = new LatencyRelay(echo.EndPoint, TimeSpan.FromSeconds(30));
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(relay.EndPoint, cts.Token);
        await client.SendAsync(new byte[] { 1, 2, 3 }, SocketFlags.None, cts.Token); // held for 30 s in the relay
        await Eventually.HoldsAsync(() => relay.ActiveConnections == 1, cts.Token);

        await relay.DisposeAsync().AsTask().WaitAsync(cts.Token);

        Assert.Equal(0, relay.ActiveConnections);
        var buffer = new byte[16];
        int read;
        try
        {
            read = await client.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            read = 0; // a reset is a close too
        }

        Assert.Equal(0, read);
        using var late = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(relay.EndPoint, cts.Token));
    }

    [Fact]
    public async Task A_target_that_is_down_closes_the_client_connection()
    {
        using var cts = new CancellationTokenSource(Guard);
        var closed = LoopbackHosts.ClosedAddress();
        await using var relay = new LatencyRelay(closed);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(relay.EndPoint, cts.Token);

        int read;
        try
        {
            read = await client.ReceiveAsync(new byte[8], SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        await Eventually.HoldsAsync(() => relay.ActiveConnections == 0, cts.Token);
    }

    private static async Task<TimeSpan> MedianPingAsync(PhysarumSM.Libp2p.Host.Libp2pHost from, PhysarumSM.Libp2p.Host.Libp2pHost to, int count, CancellationToken cancellationToken)
    {
        var samples = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            samples.Add(await from.PingAsync(to.PeerId, cancellationToken));
        }

        samples.Sort();
        return samples[count / 2];
    }
}
