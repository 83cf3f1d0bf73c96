using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Logging;
using PhysarumSM.Gateway.Tests.Support;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.TestKit;

namespace PhysarumSM.Gateway.Tests.Tunnel;

/// <summary>What a node refuses, with which code and message, and that refusing never harms the node.</summary>
public sealed class TunnelRefusalTests
{
    private const string Instance = "echo/node/1";

    [Fact]
    public async Task An_instance_the_node_does_not_run_is_refused_without_any_connection()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);

        var refused = await Assert.ThrowsAsync<TunnelRefusedException>(() => rig.OpenAsync("echo/node/2", ct));

        Assert.Equal(TunnelRefusalCode.NotFound, refused.Code);
        Assert.Equal("echo/node/2", refused.InstanceId);
        Assert.Equal(rig.Overlay.Node.PeerId.ToString(), refused.Node);
        Assert.Contains("a tunnel reaches only ports of instances that this node runs", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'echo/node/2'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, echo.Accepted);
        Assert.Equal(0, rig.Instances.Activity("echo/node/2"));
        Assert.Single(rig.Log.WithEvent(8003));
    }

    [Fact]
    public async Task An_instance_whose_port_refuses_connections_is_unreachable()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        var closed = ClosedEndPoint();
        rig.Instances.Add(Instance, closed);

        var refused = await Assert.ThrowsAsync<TunnelRefusedException>(() => rig.OpenAsync(Instance, ct));

        Assert.Equal(TunnelRefusalCode.Unreachable, refused.Code);
        Assert.Contains(closed.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Contains("did not accept a connection", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tunnels_beyond_the_limit_are_refused_as_busy_until_one_ends()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct, options: new TunnelOptions { MaxTunnels = 2 });
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);

        var first = await rig.OpenAsync(Instance, ct);
        await using var second = await rig.OpenAsync(Instance, ct);
        var refused = await Assert.ThrowsAsync<TunnelRefusedException>(() => rig.OpenAsync(Instance, ct));
        Assert.Equal(TunnelRefusalCode.Busy, refused.Code);
        Assert.Contains("limit", refused.Message, StringComparison.Ordinal);

        // The open tunnels are unaffected, and a slot freed is a slot usable.
        Assert.Equal("still here"u8.ToArray(), await TunnelRig.ExchangeAsync(second, "still here"u8.ToArray(), ct));
        await first.DisposeAsync();
        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels < 2, ct);
        await using var third = await rig.OpenAsync(Instance, ct);
        Assert.Equal("third"u8.ToArray(), await TunnelRig.ExchangeAsync(third, "third"u8.ToArray(), ct));
    }

    public static TheoryData<string, string> MalformedOpenings() => new()
    {
        { Hex(Framed("not json")), "malformed tunnel header" },
        { Hex(Framed("{}")), "malformed tunnel header" },
        { Hex(Framed("{\"instance\":\"\"}")), "names no instance" },
        { Hex(Framed("{\"instance\":5}")), "malformed tunnel header" },
        { Hex(Framed("null")), "names no instance" },
        { Hex(Framed("[\"echo/node/1\"]")), "malformed tunnel header" },
        { Hex([.. Prefix(1024 * 1024), .. new byte[100]]), "exceeds the limit" },
        { Hex([.. Prefix(1025), .. new byte[1025]]), "exceeds the limit" },
        { Hex([.. Prefix(100), 1, 2, 3]), "stream ended inside" },
        { Hex([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), "bad length prefix" },
        { Hex([0xc3, 0x28, 0xa0, 0xa1]), "exceeds the limit" },
        { Hex(Framed([0x7b, 0x22, 0x69, 0x6e, 0x73, 0x74, 0x61, 0x6e, 0x63, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])), "malformed tunnel header" },
        { "", "bad length prefix" },
    };

    [Theory]
    [MemberData(nameof(MalformedOpenings))]
    public async Task A_malformed_or_oversized_header_is_refused_as_invalid_and_the_node_stays_healthy(string hex, string reason)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);
        var connection = rig.Overlay.Proxy.GetConnection(rig.Overlay.Node.PeerId);

        var answer = await rig.SendRawAsync(Convert.FromHexString(hex), ct);

        Assert.NotNull(answer);
        Assert.False(answer.Ok);
        Assert.Equal(TunnelRefusalCode.Invalid, answer.Code);
        Assert.Contains(reason, answer.Error, StringComparison.Ordinal);
        Assert.Equal(0, echo.Accepted);
        await AssertHealthyAsync(rig, connection, ct);
    }

    [Fact]
    public async Task A_peer_that_sends_no_header_is_refused_when_the_header_deadline_passes()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct, options: new TunnelOptions { HeaderTimeout = TimeSpan.FromMilliseconds(200) });
        await using var stream = await rig.Overlay.Proxy.NewStreamAsync(rig.Overlay.Node.PeerId, [TunnelWire.ProtocolId], ct);

        var answer = System.Text.Json.JsonSerializer.Deserialize<TunnelAnswer>(
            await PhysarumSM.Libp2p.Protocols.LengthPrefixedMessage.ReadAsync(stream.Stream, TunnelWire.MaxAnswerBytes, ct), TunnelWire.Json);

        Assert.NotNull(answer);
        Assert.Equal(TunnelRefusalCode.Invalid, answer.Code);
        Assert.Contains("no tunnel header within", answer.Error, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels == 0, ct);
    }

    [Fact]
    public async Task Random_and_mutated_openings_never_harm_the_node()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);
        rig.Instances.Add("other/node/1", ClosedEndPoint());
        var connection = rig.Overlay.Proxy.GetConnection(rig.Overlay.Node.PeerId);
        var valid = Framed("{\"instance\":\"other/node/1\"}");

        var inputs = ArbMap.Default.GeneratorFor<byte[]>().Sample(120, 60)
            .Concat((from at in Gen.Choose(0, valid.Length - 1) from value in Gen.Choose(0, 255) select (at, value)).Sample(40, 60)
                .Select(m => { var copy = (byte[])valid.Clone(); copy[m.at] = (byte)m.value; return copy; }))
            .Concat(Enumerable.Range(0, valid.Length).Select(n => valid[..n]));
        foreach (var input in inputs)
        {
            // Any answer (or none) is fine; the point is what happens to the node.
            var answer = await rig.SendRawAsync(input, ct);
            Assert.True(answer is null || !answer.Ok, $"input {Convert.ToHexString(input)} opened a tunnel");
        }

        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels == 0, ct);
        Assert.Equal(0, echo.Accepted);
        Assert.DoesNotContain(rig.Log.Entries, e => e.Level >= LogLevel.Warning);
        await AssertHealthyAsync(rig, connection, ct);
    }

    private static async Task AssertHealthyAsync(TunnelRig rig, PhysarumSM.Libp2p.Host.Libp2pConnection? connection, CancellationToken ct)
    {
        // Same connection still up, and a valid tunnel right after works.
        Assert.NotNull(connection);
        Assert.False(connection.IsClosed);
        Assert.Same(connection, rig.Overlay.Proxy.GetConnection(rig.Overlay.Node.PeerId));
        await using var tunnel = await rig.OpenAsync(Instance, ct);
        Assert.Equal("after"u8.ToArray(), await TunnelRig.ExchangeAsync(tunnel, "after"u8.ToArray(), ct));
    }

    private static System.Net.IPEndPoint ClosedEndPoint()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return (System.Net.IPEndPoint)socket.LocalEndPoint!;
    }

    private static byte[] Framed(string json) => Framed(Encoding.UTF8.GetBytes(json));

    private static byte[] Framed(byte[] body) => [.. Prefix((ulong)body.Length), .. body];

    private static byte[] Prefix(ulong value)
    {
        var bytes = new byte[PhysarumSM.Libp2p.Multiformats.Varint.GetLength(value)];
        PhysarumSM.Libp2p.Multiformats.Varint.Write(bytes, value);
        return bytes;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);
}
