using PhysarumSM.TestKit;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols.Diagnostics;
using PhysarumSM.Libp2p.Protocols.Identify;
using PhysarumSM.Libp2p.Protocols.Ping;
using PhysarumSM.Libp2p.Tests.Host;
using PhysarumSM.Libp2p.Tests.Support;

namespace PhysarumSM.Libp2p.Tests.Interop;

/// <summary>Our stack against stock js-libp2p 3.x (tests/interop-js/peer.mjs), both directions, with and without a PSK.</summary>
public sealed class JsInteropTests
{
    private const string Passphrase = "toInfinityAndBeyond!";
    private const int MiB = 1 << 20;

    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(3));

    [Theory]
    [InlineData(null)]
    [InlineData(Passphrase)]
    public async Task Js_dials_us_pings_identifies_and_echoes_100_streams(string? psk)
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var host = await TestHosts.StartAsync(psk);
        await using var js = await JsPeer.StartAsync(psk, ct: ct);
        var ours = host.DialAddress().ToString();

        Assert.Equal(host.PeerId.ToString(), await js.DialAsync(ours, ct));
        var ping = await js.PingAsync(ours, ct);
        Assert.True(ping.RttMs >= 0);

        var id = await js.IdentifyAsync(host.PeerId.ToString(), ct);
        Assert.StartsWith("physarum/", id.AgentVersion);
        Assert.Contains(PingProtocol.Id, id.Protocols);
        Assert.Contains(IdentifyProtocol.Id, id.Protocols);
        Assert.Contains(DiagnosticProtocols.Echo, id.Protocols);
        Assert.Contains(host.ListenAddresses[0].ToString(), id.ListenAddrs);

        var echo = await js.EchoAsync(ours, streams: 100, bytes: MiB, ct: ct);
        Assert.Equal(100, echo.Verified);

        // The connection js opened is the one we hold, and js identified back to us.
        var jsPeer = PeerId.Parse(js.PeerId);
        await Eventually.HoldsAsync(() => host.PeerStore.GetIdentify(jsPeer) is not null, ct);
        Assert.StartsWith("js-libp2p/", host.PeerStore.GetIdentify(jsPeer)!.AgentVersion);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Passphrase)]
    public async Task We_dial_js_ping_identify_and_echo_100_streams(string? psk)
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var host = await TestHosts.StartAsync(psk);
        await using var js = await JsPeer.StartAsync(psk, ct: ct);

        var connection = await host.ConnectAsync(Multiaddr.Parse(js.Address), ct);
        Assert.Equal(js.PeerId, connection.RemotePeer.ToString());

        var rtt = await host.PingAsync(connection.RemotePeer, ct);
        Assert.True(rtt > TimeSpan.Zero);

        var info = await host.IdentifyAsync(connection.RemotePeer, ct);
        Assert.StartsWith("js-libp2p/", info.AgentVersion);
        Assert.Contains(PingProtocol.Id, info.Protocols);
        Assert.Contains(DiagnosticProtocols.Echo, info.Protocols);
        Assert.Contains(Multiaddr.Parse(js.Address).WithoutPeerId(), info.ListenAddresses);

        var echoes = Enumerable.Range(0, 100).Select(async i =>
        {
            var payload = TestHosts.Payload(i, MiB);
            var echoed = await TestHosts.EchoAsync(connection, payload, ct);
            return payload.AsSpan().SequenceEqual(echoed);
        }).ToArray();
        Assert.All(await Task.WhenAll(echoes), Assert.True);

        // And js sees our identify on the same connection.
        var id = await js.IdentifyAsync(host.PeerId.ToString(), ct);
        Assert.StartsWith("physarum/", id.AgentVersion);
    }

    [Theory]
    [InlineData("alpha", "beta")]
    [InlineData("alpha", null)]
    [InlineData(null, "beta")]
    public async Task Psk_mismatch_when_we_dial_js_is_a_clear_handshake_error(string? ourPsk, string? jsPsk)
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var host = await TestHosts.StartAsync(ourPsk, o => o.HandshakeTimeout = TimeSpan.FromSeconds(3));
        await using var js = await JsPeer.StartAsync(jsPsk, ct: ct);

        var error = await Assert.ThrowsAsync<HandshakeException>(() => host.ConnectAsync(Multiaddr.Parse(js.Address), ct));
        Assert.Contains("PSK", error.Message);
        Assert.Empty(host.ConnectedPeers);
    }

    [Theory]
    [InlineData("alpha", "beta")]
    [InlineData("alpha", null)]
    [InlineData(null, "beta")]
    public async Task Psk_mismatch_when_js_dials_us_is_logged_with_the_reason(string? ourPsk, string? jsPsk)
    {
        using var guard = Guard();
        var ct = guard.Token;
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = logs.CreateFactory();
        await using var host = await TestHosts.StartAsync(ourPsk, o => o.HandshakeTimeout = TimeSpan.FromSeconds(3), loggerFactory);
        await using var js = await JsPeer.StartAsync(jsPsk, ct: ct);

        await Assert.ThrowsAsync<JsPeerCommandException>(() => js.DialAsync(host.DialAddress().ToString(), ct));
        await Eventually.HoldsAsync(() => logs.Lines.Any(l => l.Contains("inbound handshake") && l.Contains("PSK")), ct);
        Assert.Empty(host.ConnectedPeers);

        // The host keeps serving peers that do have the right key.
        await using var good = await TestHosts.StartAsync(ourPsk);
        await good.ConnectAsync(host.DialAddress(), ct);
        await good.PingAsync(host.PeerId, ct);
    }
}
