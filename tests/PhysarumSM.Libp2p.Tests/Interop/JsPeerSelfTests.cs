using System.Globalization;
using PhysarumSM.TestKit;
using System.Text.Json;
using Xunit.Abstractions;

namespace PhysarumSM.Libp2p.Tests.Interop;

/// <summary>
/// Proves the js harness itself with two js peers (js↔js), so that a failing C#↔js interop test
/// points at our stack and not at the harness. Timing figures are written to the test output only.
/// </summary>
public sealed class JsPeerSelfTests
{
    private const string TestPassphrase = "toInfinityAndBeyond!";
    private const string ZeroSeed = "0000000000000000000000000000000000000000000000000000000000000000";
    private const int MiB = 1 << 20;

    private readonly ITestOutputHelper output;

    public JsPeerSelfTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(3));

    [Theory]
    [InlineData(null)]
    [InlineData(TestPassphrase)]
    public async Task Ping_identify_echo_and_throughput_between_two_js_peers(string? psk)
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var a = await JsPeer.StartAsync(psk, ct: ct);
        await using var b = await JsPeer.StartAsync(psk, ZeroSeed, ct);
        var label = psk is null ? "no psk" : "psk";

        Assert.Equal("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", b.PeerId);
        Assert.All(b.Addresses, addr => Assert.EndsWith("/p2p/" + b.PeerId, addr, StringComparison.Ordinal));

        Assert.Equal(b.PeerId, await a.DialAsync(b.Address, ct));
        var opened = await b.WaitForEventAsync(e => JsPeer.EventName(e) == "connection:open" && Str(e, "peer") == a.PeerId, ct);
        Assert.Equal("inbound", Str(opened, "direction"));

        var ping = await a.PingAsync(b.Address, ct);
        Assert.Equal(b.PeerId, ping.Peer);
        Assert.True(ping.RttMs >= 0);
        output.WriteLine($"[{label}] ping rtt {ping.RttMs:F2} ms (service {ping.ServiceRttMs} ms)");

        var id = await a.IdentifyAsync(b.PeerId, ct);
        Assert.Equal(b.PeerId, id.Peer);
        Assert.StartsWith("js-libp2p/", id.AgentVersion, StringComparison.Ordinal);
        Assert.Equal("ipfs/0.1.0", id.ProtocolVersion);
        foreach (var protocol in new[] { "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/physarum/echo/1.0.0", "/physarum/sink/1.0.0", "/physarum/source/1.0.0" })
        {
            Assert.Contains(protocol, id.Protocols);
        }
        Assert.Contains(b.Address[..b.Address.IndexOf("/p2p/", StringComparison.Ordinal)], id.ListenAddrs);
        Assert.NotNull(id.ObservedAddr);
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", id.ObservedAddr, StringComparison.Ordinal);
        // PublicKey protobuf of the all-zero Ed25519 seed (wire digest 4.4).
        Assert.Equal("080112203b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29", id.PublicKeyHex);

        var echo = await a.EchoAsync(b.Address, streams: 10, bytes: MiB, ct: ct);
        Assert.Equal(10, echo.Verified);
        Assert.Equal(10L * MiB, echo.Bytes);
        output.WriteLine($"[{label}] echo 10 x 1 MiB verified in {echo.Ms:F0} ms");

        var echo100 = await a.EchoAsync(b.Address, streams: 100, bytes: 64 * 1024, ct: ct);
        Assert.Equal(100, echo100.Verified);
        output.WriteLine($"[{label}] echo 100 x 64 KiB verified in {echo100.Ms:F0} ms");

        foreach (var (streams, perStream) in new[] { (1, 64L * MiB), (16, 4L * MiB) })
        {
            var sink = await a.SinkAsync(b.Address, streams, perStream, ct: ct);
            Assert.Equal(streams * perStream, sink.Bytes);
            var source = await a.SourceAsync(b.Address, streams, perStream, ct: ct);
            Assert.Equal(streams * perStream, source.Bytes);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{label}] {streams} stream(s) x {perStream / MiB} MiB: sink {sink.MbPerSec:F1} MB/s, source {source.MbPerSec:F1} MB/s"));
        }

        Assert.Contains(b.PeerId, await a.PeersAsync(ct));
        await a.HangUpAsync(b.PeerId, ct);
        await b.WaitForEventAsync(e => JsPeer.EventName(e) == "connection:close" && Str(e, "peer") == a.PeerId, ct);
        Assert.DoesNotContain(b.PeerId, await a.PeersAsync(ct));

        // Nothing went wrong in the background on either side.
        AssertNoErrorEvents(a);
        AssertNoErrorEvents(b);
    }

    [Fact]
    public async Task Seed_gives_the_spec_peer_id()
    {
        using var guard = Guard();
        await using var peer = await JsPeer.StartAsync(seedHex: "7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d", ct: guard.Token);
        Assert.Equal("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", peer.PeerId);
    }

    [Theory]
    [InlineData("alpha", "beta")]
    [InlineData(TestPassphrase, null)]
    [InlineData(null, TestPassphrase)]
    public async Task Mismatched_private_network_fails_and_is_reported(string? dialerPsk, string? listenerPsk)
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var a = await JsPeer.StartAsync(dialerPsk, ct: ct);
        await using var b = await JsPeer.StartAsync(listenerPsk, ct: ct);

        var ex = await Assert.ThrowsAsync<JsPeerCommandException>(() => a.DialAsync(b.Address, ct));
        Assert.Equal("dial", ex.Command);
        output.WriteLine($"dial error: {ex.JsError}");

        // The listener surfaces the failed upgrade as a background error event.
        var error = await b.WaitForEventAsync(
            e => JsPeer.EventName(e) == "error" && (Str(e, "message") ?? "").Contains("upgrade", StringComparison.OrdinalIgnoreCase),
            ct);
        output.WriteLine($"listener error event: {error}");
        Assert.Empty(await a.PeersAsync(ct));
        Assert.Empty(await b.PeersAsync(ct));
        Assert.DoesNotContain(b.Events, e => JsPeer.EventName(e) == "connection:open");

        // Both processes keep serving after the failure.
        Assert.Empty(await a.PeersAsync(ct));
    }

    [Fact]
    public async Task Bad_commands_fail_without_killing_the_peer()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var a = await JsPeer.StartAsync(ct: ct);
        await using var b = await JsPeer.StartAsync(ct: ct);

        var unknown = await Assert.ThrowsAsync<JsPeerCommandException>(() => a.SendAsync(new { cmd = "no-such-command" }, ct));
        Assert.Contains("unknown cmd", unknown.JsError, StringComparison.Ordinal);
        await Assert.ThrowsAsync<JsPeerCommandException>(() => a.DialAsync("/ip4/127.0.0.1/tcp/1/p2p/" + b.PeerId, ct));
        await Assert.ThrowsAsync<JsPeerCommandException>(() => a.SendAsync(new { cmd = "echo", addr = b.Address, streams = 0, bytes = 1 }, ct));

        var ping = await a.PingAsync(b.Address, ct);
        Assert.Equal(b.PeerId, ping.Peer);

        await a.StopAsync(ct);
        Assert.Equal(0, a.ExitCode);
        await Assert.ThrowsAsync<JsPeerException>(() => a.PeersAsync(ct));
    }

    [Fact]
    public async Task A_dead_process_fails_commands_with_its_exit()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var peer = await JsPeer.StartAsync(ct: ct);
        using (var process = System.Diagnostics.Process.GetProcessById(peer.ProcessId))
        {
            process.Kill();
        }
        await peer.Exited.WaitAsync(ct);
        Assert.NotEqual(0, peer.ExitCode);
        var ex = await Assert.ThrowsAsync<JsPeerException>(() => peer.PeersAsync(ct));
        Assert.Contains("exit", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<JsPeerException>(() => peer.WaitForEventAsync(e => JsPeer.EventName(e) == "never", ct));
    }

    private static void AssertNoErrorEvents(JsPeer peer)
    {
        var errors = peer.Events.Where(e => JsPeer.EventName(e) == "error").Select(e => e.ToString()).ToList();
        Assert.True(errors.Count == 0, $"{peer}: background errors:\n{string.Join('\n', errors)}");
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
