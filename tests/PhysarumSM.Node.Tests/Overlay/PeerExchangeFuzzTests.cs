using PhysarumSM.TestKit;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protobuf;
using PhysarumSM.Node.Overlay;
using PhysarumSM.Node.Tests.Support;

namespace PhysarumSM.Node.Tests.Overlay;

/// <summary>Answers from a misbehaving peer are logged and ignored; the node keeps working.</summary>
public sealed class PeerExchangeFuzzTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public static TheoryData<string> BrokenAnswers() =>
        ["over-limit length", "endless varint", "truncated frame", "bad protobuf", "wrong wire type", "no answer then close", "silence", "reset"];

    [Theory]
    [MemberData(nameof(BrokenAnswers))]
    public async Task A_broken_answer_is_logged_and_ignored_and_the_node_keeps_working(string kind)
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var evil = await LoopbackHosts.StartAsync();
        evil.SetStreamHandler(PeerExchange.ProtocolId, (stream, ct) => AnswerBadlyAsync(kind, stream, ct));
        await using var node = await OverlayNode.StartAsync([evil.DialAddress()], cts.Token, o => o.ExchangeTimeout = TimeSpan.FromMilliseconds(kind == "silence" ? 300 : 10_000));

        // The background exchange on connect meets the broken answer and logs it.
        var expectedEvent = kind is "silence" or "reset" ? 3022 : 3021;
        await Eventually.HoldsAsync(() => node.Log.WithEvent(expectedEvent).Any(e => Equals(e.State["Peer"], evil.PeerId)), cts.Token);

        // Asked directly, the same answer is a typed error, never a crash or a hang.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => node.Exchange.RequestPeersAsync(evil.PeerId, cts.Token));
        switch (kind)
        {
            case "silence":
                Assert.IsType<TimeoutException>(error);
                break;
            case "reset":
                Assert.IsAssignableFrom<IOException>(error);
                break;
            default:
                Assert.IsType<PeerExchangeException>(error);
                break;
        }

        // Still working: a good node joins through it, is told about the evil peer, and meshes.
        await using var good = await OverlayNode.StartAsync([node.Host.DialAddress()], cts.Token);
        var answer = await good.Exchange.RequestPeersAsync(node.PeerId, cts.Token);
        Assert.Contains(answer.Peers, p => p.Peer == evil.PeerId);
        await Eventually.HoldsAsync(() => good.Host.GetConnection(evil.PeerId) is not null, cts.Token);
        Assert.NotNull(node.Host.GetConnection(evil.PeerId));

        await node.StopAsync(cts.Token);
        Assert.Equal(0, node.Exchange.RunningTasks);
    }

    [Fact]
    public async Task Invalid_entries_and_entries_over_the_limits_are_skipped_and_the_rest_is_used()
    {
        using var cts = new CancellationTokenSource(Guard);
        var real = await LoopbackHosts.StartAsync();
        await using var realHost = real;
        await using var evil = await LoopbackHosts.StartAsync();
        var message = new ProtoWriter();
        message.WriteBytes(1, Entry([1, 2, 3], [])); // not a peer ID
        message.WriteBytes(1, Entry(real.PeerId.Bytes.ToArray(), [[0xff, 0xff, 0x03], real.ListenAddresses[0].ToBytes(), real.DialAddress().ToBytes()]));
        for (var i = 0; i < 10; i++)
        {
            message.WriteBytes(1, Entry(PhysarumSM.Libp2p.Crypto.IdentityKey.Generate().PeerId.Bytes.ToArray(), [LoopbackHosts.ClosedAddress().ToBytes()]));
        }

        message.WriteVarint(7, 42); // an unknown field is skipped
        var answer = message.ToArray();
        evil.SetStreamHandler(PeerExchange.ProtocolId, async (stream, ct) =>
        {
            await PeerExchangeWire.ReadFrameAsync(stream.Stream, PeerExchangeWire.MaxRequestBytes, ct);
            await PeerExchangeWire.WriteFrameAsync(stream.Stream, answer, ct);
            await stream.CloseWriteAsync(ct);
        });
        await using var node = await OverlayNode.StartAsync([evil.DialAddress()], cts.Token, o => o.MaxPeersPerAnswer = 5);

        var result = await node.Exchange.RequestPeersAsync(evil.PeerId, cts.Token);

        Assert.Equal(5, result.Peers.Count);
        Assert.Equal(real.PeerId, result.Peers[0].Peer);
        Assert.Equal([real.ListenAddresses[0]], result.Peers[0].Addresses);
        Assert.Equal(1 + 6, result.SkippedPeers); // the bad ID, and six over the limit of five
        Assert.Equal(2, result.SkippedAddresses); // unparseable, and one carrying /p2p/
        await Eventually.HoldsAsync(() => node.Host.GetConnection(real.PeerId) is not null, cts.Token);
        await Eventually.HoldsAsync(() => node.Log.WithEvent(3021).Count > 0, cts.Token);
    }

    [Fact]
    public async Task A_bad_request_is_refused_without_harm()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var node = await OverlayNode.StartAsync([], cts.Token);
        await using var client = await LoopbackHosts.StartAsync();
        var connection = await client.ConnectAsync(node.Host.DialAddress(), cts.Token);

        foreach (var request in new byte[][] { [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [100, 1, 2], [2, 0x0a, 0x05], [0x70] })
        {
            await using var stream = await connection.NewStreamAsync([PeerExchange.ProtocolId], cts.Token);
            await stream.Stream.WriteAsync(request, cts.Token);
            await stream.CloseWriteAsync(cts.Token);
            var buffer = new byte[64];
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                while (await stream.Stream.ReadAsync(buffer, cts.Token) > 0)
                {
                }

                throw new IOException("closed without a reset");
            });
        }

        await Eventually.HoldsAsync(() => node.Log.WithEvent(3027).Count == 4, cts.Token);
        await using var good = await OverlayNode.StartAsync([node.Host.DialAddress()], cts.Token);
        var answer = await good.Exchange.RequestPeersAsync(node.PeerId, cts.Token);
        Assert.Contains(answer.Peers, p => p.Peer == client.PeerId);
    }

    private static byte[] Entry(byte[] id, byte[][] addresses)
    {
        var entry = new ProtoWriter();
        entry.WriteBytes(1, id);
        foreach (var address in addresses)
        {
            entry.WriteBytes(2, address);
        }

        return entry.ToArray();
    }

    private static async Task AnswerBadlyAsync(string kind, Libp2pStream stream, CancellationToken cancellationToken)
    {
        await PeerExchangeWire.ReadFrameAsync(stream.Stream, PeerExchangeWire.MaxRequestBytes, cancellationToken);
        byte[] bytes = kind switch
        {
            "over-limit length" => Varint.Encode(10UL << 20),
            "endless varint" => Enumerable.Repeat((byte)0xff, 12).ToArray(),
            "truncated frame" => [100, 1, 2, 3, 4, 5],
            "bad protobuf" => [2, 0x0a, 0x7f],
            "wrong wire type" => [2, 0x08, 0x01],
            _ => [],
        };
        switch (kind)
        {
            case "silence":
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return;
            case "reset":
                stream.Stream.Reset();
                return;
        }

        await stream.Stream.WriteAsync(bytes, cancellationToken);
        await stream.CloseWriteAsync(cancellationToken);
    }
}
