using System.Text;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

/// <summary>What our session puts on the wire, byte for byte, against a raw peer.</summary>
public sealed class YamuxWireTests
{
    private const int Window = YamuxOptions.SpecInitialWindow;

    [Fact]
    public async Task Outbound_stream_lifecycle_is_byte_exact()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        var s1 = await h.Session.OpenStreamAsync(ct);
        Assert.Equal("000100010000000100000000", (await raw.ReadFrameAsync(ct)).Hex); // open 1 (no wait for ACK)
        await s1.WriteAsync("hello"u8.ToArray(), ct);
        Assert.Equal("000000000000000100000005" + "68656c6c6f", (await raw.ReadFrameAsync(ct)).Hex);
        await raw.SendHexAsync("000100020000000100000000", ct); // peer acks
        await s1.CloseWriteAsync(ct);
        Assert.Equal("000100040000000100000000", (await raw.ReadFrameAsync(ct)).Hex); // half-close 1

        var s3 = await h.Session.OpenStreamAsync(ct);
        s3.Reset();
        Assert.Equal("000100010000000300000000", (await raw.ReadFrameAsync(ct)).Hex);
        Assert.Equal("000100080000000300000000", (await raw.ReadFrameAsync(ct)).Hex); // reset 3

        await h.Session.CloseAsync(ct);
        Assert.Equal("000300000000000000000000", (await raw.ReadFrameAsync(ct)).Hex); // goaway normal
        Assert.True(await raw.ReadsToEndAsync(ct));
    }

    [Fact]
    public async Task Inbound_stream_is_acked_at_once_and_reads_data_then_FIN()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await raw.SendHexAsync("000100010000000200000000", ct); // peer (listener) opens 2
        Assert.Equal("000100020000000200000000", (await raw.ReadFrameAsync(ct)).Hex); // ack before accept
        await raw.SendHexAsync("000000000000000200000005" + "68656c6c6f" + "000100040000000200000000", ct);

        var s = await h.Session.AcceptStreamAsync(ct);
        Assert.Equal(2u, s.Id);
        Assert.Equal("hello", Encoding.ASCII.GetString(await YamuxTestData.ReadToEndAsync(s, ct)));
    }

    [Fact]
    public async Task Answers_ping_requests_with_the_same_value()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await raw.SendHexAsync("000200010000000000000000", ct);
        Assert.Equal("000200020000000000000000", (await raw.ReadFrameAsync(ct)).Hex);
        await raw.SendHexAsync("0002000100000000cafebabe", ct);
        Assert.Equal("0002000200000000cafebabe", (await raw.ReadFrameAsync(ct)).Hex);
    }

    [Fact]
    public async Task Data_SYN_with_payload_and_FIN_opens_delivers_and_closes_in_one_frame()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);

        await h.Raw!.SendDataAsync(2, "one-shot"u8.ToArray(), ct, flags: 0x1 | 0x4);
        Assert.Equal("000100020000000200000000", (await h.Raw.ReadFrameAsync(ct)).Hex);
        var s = await h.Session.AcceptStreamAsync(ct);
        Assert.Equal("one-shot", Encoding.ASCII.GetString(await YamuxTestData.ReadToEndAsync(s, ct)));
    }

    [Fact]
    public async Task Writer_stops_after_exactly_the_initial_window_until_the_peer_grants_more()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        var s = await h.Session.OpenStreamAsync(ct);
        var payload = YamuxTestData.Pattern(Window + 1000 + 50_000, 11);
        var write = s.WriteAsync(payload, ct).AsTask();

        Assert.Equal("000100010000000100000000", (await raw.ReadFrameAsync(ct)).Hex);
        var received = new MemoryStream();
        while (received.Length < Window)
        {
            var frame = await raw.ReadFrameAsync(ct);
            Assert.Equal((byte)0, frame.Type);
            Assert.True(frame.Length <= 64 * 1024 - 12, "frames are at most 64 KiB - 12 by default");
            received.Write(frame.Payload);
        }

        Assert.Equal(Window, received.Length);

        // Nothing more arrives before the session answers a ping: it is waiting on the window.
        Assert.Empty(await raw.SyncAsync(1, ct));
        Assert.False(write.IsCompleted);

        await raw.SendFrameAsync(1, 0, 1, 1000, ct); // +1000
        while (received.Length < Window + 1000)
        {
            received.Write((await raw.ReadFrameAsync(ct)).Payload);
        }

        Assert.Equal(Window + 1000, received.Length);
        Assert.Empty(await raw.SyncAsync(2, ct));
        Assert.False(write.IsCompleted);

        await raw.SendFrameAsync(1, 0, 1, 1 << 20, ct);
        while (received.Length < payload.Length)
        {
            received.Write((await raw.ReadFrameAsync(ct)).Payload);
        }

        await write;
        Assert.Equal(payload, received.ToArray());
    }

    [Fact]
    public async Task A_larger_initial_window_is_announced_in_SYN_and_ACK()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        var options = new YamuxOptions { InitialStreamWindow = 1024 * 1024 };
        await using var h = await YamuxTestHarness.RawPeerAsync(options, cancellationToken: ct);
        var raw = h.Raw!;

        await h.Session.OpenStreamAsync(ct);
        Assert.Equal("0001000100000001000c0000", (await raw.ReadFrameAsync(ct)).Hex); // SYN +768 KiB
        await raw.SendHexAsync("000100010000000200000000", ct);
        Assert.Equal("0001000200000002000c0000", (await raw.ReadFrameAsync(ct)).Hex); // ACK +768 KiB

        // The peer may now send 1 MiB before any update.
        for (int i = 0; i < 16; i++)
        {
            await raw.SendDataAsync(2, new byte[65536], ct);
        }

        Assert.Empty(await raw.SyncAsync(3, ct));
        Assert.False(h.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task Reading_grants_window_updates_to_the_peer()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await raw.SendHexAsync("000100010000000200000000", ct);
        await raw.ReadFrameAsync(ct); // ACK
        for (int i = 0; i < 4; i++)
        {
            await raw.SendDataAsync(2, new byte[65536], ct); // the whole window
        }

        var s = await h.Session.AcceptStreamAsync(ct);
        var sink = new byte[Window];
        await s.ReadExactlyAsync(sink, ct);

        // At least the consumed bytes come back as window updates (more if the window grew).
        long granted = 0;
        while (granted < Window)
        {
            var frame = await raw.ReadFrameAsync(ct);
            Assert.Equal((byte)1, frame.Type);
            Assert.Equal(2u, frame.StreamId);
            Assert.Equal((ushort)0, frame.Flags);
            granted += frame.Length;
        }
    }

    [Fact]
    public async Task Frames_for_unknown_streams_are_skipped()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await raw.SendDataAsync(40, new byte[70_000], ct); // no SYN: unknown, body skipped
        await raw.SendFrameAsync(1, 0, 42, 5000, ct);
        await raw.SendFrameAsync(1, 4, 44, 0, ct);
        await raw.SendFrameAsync(1, 8, 46, 0, ct);
        await raw.SendFrameAsync(1, 2, 7, 0, ct); // ACK for a stream we never opened

        Assert.Empty(await raw.SyncAsync(5, ct));
        Assert.False(h.Session.Completion.IsCompleted);
        Assert.Equal(0, h.Session.StreamCount);
    }
}
