using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PhysarumSM.Gateway.Tests.Support;
using PhysarumSM.TestKit;

namespace PhysarumSM.Gateway.Tests.Tunnel;

/// <summary>Bytes through real tunnels: intact both ways, half-closes passed on, many tunnels at once.</summary>
public sealed class TunnelRelayTests
{
    private const string Instance = "echo/node/1";

    [Theory]
    [InlineData(null)]
    [InlineData("tunnel-test-psk")]
    public async Task Thirty_two_MiB_each_way_arrive_intact(string? psk)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct, psk);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);
        var payload = TunnelRig.Payload(1, 32 * 1024 * 1024);

        await using var tunnel = await rig.OpenAsync(Instance, ct);
        var received = await TunnelRig.ExchangeAsync(tunnel, payload, ct, chunk: 256 * 1024);

        Assert.Equal(payload.Length, received.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task The_openers_half_close_reaches_the_instance_and_its_answer_still_arrives()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        await using var digest = InstancePort.Digest();
        rig.Instances.Add(Instance, digest.EndPoint);
        var payload = TunnelRig.Payload(2, 1024 * 1024);

        await using var tunnel = await rig.OpenAsync(Instance, ct);
        var answer = await TunnelRig.ExchangeAsync(tunnel, payload, ct);

        // The digest server answers only after it read EOF, so the answer proves the half-close went through.
        Assert.Equal(InstancePort.DigestLine(payload), Encoding.ASCII.GetString(answer));
    }

    [Fact]
    public async Task The_instances_half_close_reaches_the_opener_which_can_still_send()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        var late = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var banner = InstancePort.Start(async (socket, token) =>
        {
            await InstancePort.SendAllAsync(socket, "banner"u8.ToArray(), token);
            socket.Shutdown(SocketShutdown.Send);
            late.TrySetResult(await InstancePort.ReceiveToEndAsync(socket, token));
        });
        rig.Instances.Add(Instance, banner.EndPoint);

        await using var tunnel = await rig.OpenAsync(Instance, ct);
        using var read = new MemoryStream();
        await tunnel.CopyToAsync(read, ct);
        Assert.Equal("banner", Encoding.ASCII.GetString(read.ToArray()));

        await tunnel.WriteAsync("sent after EOF"u8.ToArray(), ct);
        await tunnel.CloseWriteAsync(ct);
        Assert.Equal("sent after EOF", Encoding.ASCII.GetString(await late.Task.WaitAsync(ct)));
    }

    [Fact]
    public async Task Twenty_tunnels_at_once_each_carry_their_own_bytes()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            var payload = TunnelRig.Payload(100 + i, 512 * 1024 + i);
            await using var tunnel = await rig.OpenAsync(Instance, ct);
            return (payload, received: await TunnelRig.ExchangeAsync(tunnel, payload, ct));
        }));

        Assert.All(results, r => Assert.Equal(r.payload, r.received));
        Assert.Equal(20, echo.Accepted);
        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels == 0, ct);
        Assert.DoesNotContain(rig.Log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
