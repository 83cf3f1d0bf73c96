using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using PhysarumSM.Gateway.Tests.Support;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.TestKit;

namespace PhysarumSM.Gateway.Tests.Tunnel;

/// <summary>Activity reports, the idle deadline, and teardown when either side aborts.</summary>
public sealed class TunnelLifetimeTests
{
    private const string Instance = "echo/node/1";

    [Fact]
    public async Task Opening_and_traffic_report_activity_at_most_once_per_interval()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        var clock = new FakeTimeProvider();
        await using var rig = await TunnelRig.StartAsync(ct, time: clock);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);

        await using var tunnel = await rig.OpenAsync(Instance, ct);
        Assert.Equal(1, rig.Instances.Activity(Instance));

        // Traffic within the same second adds nothing...
        for (var i = 0; i < 5; i++)
        {
            await RoundTripAsync(tunnel, ct);
        }

        Assert.Equal(1, rig.Instances.Activity(Instance));

        // ...traffic a second later is reported once more.
        clock.Advance(TimeSpan.FromSeconds(1));
        await RoundTripAsync(tunnel, ct);
        await RoundTripAsync(tunnel, ct);
        Assert.Equal(2, rig.Instances.Activity(Instance));
    }

    [Fact]
    public async Task A_tunnel_without_traffic_for_the_idle_timeout_is_closed()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        var clock = new FakeTimeProvider();
        await using var rig = await TunnelRig.StartAsync(ct, options: new TunnelOptions { IdleTimeout = TimeSpan.FromMinutes(5) }, time: clock);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);
        await using var tunnel = await rig.OpenAsync(Instance, ct);
        await RoundTripAsync(tunnel, ct);

        var ended = ReadUntilEndAsync(tunnel, ct);
        clock.Advance(TimeSpan.FromMinutes(4));
        while (!ended.IsCompleted)
        {
            // The watchdog sleeps until the deadline; keep moving the clock until it has fired.
            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(ended, Task.Delay(20, ct));
        }

        // Idle is a teardown (the far side may never half-close), so the opener sees a reset.
        Assert.Equal("failed", await ended);
        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels == 0, ct);
        Assert.Single(rig.Log.WithEvent(8005));
    }

    [Fact]
    public async Task Traffic_keeps_a_tunnel_open_past_the_idle_timeout()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        var clock = new FakeTimeProvider();
        await using var rig = await TunnelRig.StartAsync(ct, options: new TunnelOptions { IdleTimeout = TimeSpan.FromMinutes(5) }, time: clock);
        await using var echo = InstancePort.Echo();
        rig.Instances.Add(Instance, echo.EndPoint);
        await using var tunnel = await rig.OpenAsync(Instance, ct);

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(4));
            await RoundTripAsync(tunnel, ct);
        }

        Assert.Empty(rig.Log.WithEvent(8005));
        Assert.Equal(1, rig.Server.ActiveTunnels);
    }

    [Fact]
    public async Task Disposing_a_tunnel_before_its_end_resets_the_instances_connection()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var port = InstancePort.Start(async (socket, token) =>
        {
            var buffer = new byte[1024];
            try
            {
                await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                received.TrySetResult();
                outcome.TrySetResult(await socket.ReceiveAsync(buffer, SocketFlags.None, token) == 0 ? "eof" : "data");
            }
            catch (SocketException ex)
            {
                outcome.TrySetResult(ex.SocketErrorCode.ToString());
            }
        });
        rig.Instances.Add(Instance, port.EndPoint);

        var tunnel = await rig.OpenAsync(Instance, ct);
        await tunnel.WriteAsync("request"u8.ToArray(), ct);
        await received.Task.WaitAsync(ct);
        await tunnel.DisposeAsync();

        Assert.Equal(nameof(SocketError.ConnectionReset), await outcome.Task.WaitAsync(ct));
        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels == 0, ct);
    }

    [Fact]
    public async Task An_instance_resetting_its_connection_tears_the_tunnel_down()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct);
        await using var port = InstancePort.Start(async (socket, token) =>
        {
            var buffer = new byte[1024];
            await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        rig.Instances.Add(Instance, port.EndPoint);

        await using var tunnel = await rig.OpenAsync(Instance, ct);
        await tunnel.WriteAsync("request"u8.ToArray(), ct);

        Assert.Equal("failed", await ReadUntilEndAsync(tunnel, ct));
        await Eventually.HoldsAsync(() => rig.Server.ActiveTunnels == 0, ct);
        Assert.Contains(rig.Log.WithEvent(8004), e => e.Message.Contains("instance -> overlay", StringComparison.Ordinal));
    }

    private static async Task RoundTripAsync(Stream tunnel, CancellationToken ct)
    {
        await tunnel.WriteAsync("ping"u8.ToArray(), ct);
        var buffer = new byte[4];
        await tunnel.ReadExactlyAsync(buffer, ct);
        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    /// <summary>"ended" when the tunnel closed (EOF), "failed" when it was reset.</summary>
    private static async Task<string> ReadUntilEndAsync(Stream tunnel, CancellationToken ct)
    {
        var buffer = new byte[1024];
        try
        {
            while (await tunnel.ReadAsync(buffer, ct) > 0)
            {
            }

            return "ended";
        }
        catch (IOException)
        {
            return "failed";
        }
    }
}
