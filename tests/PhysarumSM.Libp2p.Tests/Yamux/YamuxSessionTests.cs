using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

public sealed class YamuxSessionTests
{
    [Fact]
    public async Task PingAsync_measures_a_round_trip_on_both_ends()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        Assert.True(await h.Dialer!.PingAsync(ct) > TimeSpan.Zero);
        Assert.True(await h.Listener!.PingAsync(ct) > TimeSpan.Zero);
        Assert.True(h.Dialer.RttTicks > 0);
        Assert.True(h.Listener.Counters.PingsAnswered >= 1);
    }

    [Fact]
    public async Task GoAway_from_the_listener_stops_new_streams_from_the_dialer_but_keeps_open_ones()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var early = await h.Dialer!.OpenStreamAsync(ct);
        await early.WriteAsync("a"u8.ToArray(), ct);
        var earlyAccepted = await h.Listener!.AcceptStreamAsync(ct);

        await h.Listener.GoAwayAsync(ct);
        await h.Dialer.PingAsync(ct); // the ACK leaves after the GoAway, so the dialer has seen it

        var ex = await Assert.ThrowsAsync<IOException>(async () => await h.Dialer.OpenStreamAsync(ct));
        Assert.Contains("GoAway", ex.Message, StringComparison.Ordinal);

        // The listener may still open streams (GoAway only refuses inbound ones), and old streams still work.
        var fromListener = await h.Listener.OpenStreamAsync(ct);
        await fromListener.WriteAsync("b"u8.ToArray(), ct);
        Assert.Equal(2u, (await h.Dialer.AcceptStreamAsync(ct)).Id);
        await earlyAccepted.WriteAsync("still here"u8.ToArray(), ct);
        var buffer = new byte[10];
        await early.ReadExactlyAsync(buffer, ct);
        Assert.Equal("still here"u8.ToArray(), buffer);
        Assert.False(h.Dialer.Completion.IsCompleted);
    }

    [Fact]
    public async Task After_sending_GoAway_new_inbound_streams_are_reset()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await h.Session.GoAwayAsync(ct);
        Assert.Equal("000300000000000000000000", (await raw.ReadFrameAsync(ct)).Hex);

        await raw.SendHexAsync("000100010000000200000000", ct); // peer opens stream 2
        Assert.Equal("000100080000000200000000", (await raw.ReadFrameAsync(ct)).Hex);
        Assert.Equal(0, h.Session.StreamCount);
        Assert.False(h.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task GoAway_received_makes_OpenStreamAsync_throw_a_clear_IOException()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);

        await h.Raw!.SendHexAsync("000300000000000000000000", ct);
        await h.Raw.SyncAsync(9, ct);
        var ex = await Assert.ThrowsAsync<IOException>(async () => await h.Session.OpenStreamAsync(ct));
        Assert.Contains("GoAway", ex.Message, StringComparison.Ordinal);
        Assert.False(h.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task GoAway_with_an_error_code_ends_the_session_with_that_reason()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);

        await h.Raw!.SendHexAsync("000300000000000000000001", ct);
        var ex = await Assert.ThrowsAsync<IOException>(() => h.Session.Completion.WaitAsync(ct));
        Assert.Contains("protocol error", ex.Message, StringComparison.Ordinal);
        Assert.True(await h.Raw.ReadsToEndAsync(ct));
    }

    [Fact]
    public async Task CloseAsync_sends_GoAway_flushes_and_both_ends_complete()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);
        var s = await h.Dialer!.OpenStreamAsync(ct);
        await s.WriteAsync("!"u8.ToArray(), ct);
        var accepted = await h.Listener!.AcceptStreamAsync(ct);

        var payload = YamuxTestData.Pattern(200_000, 3);
        await s.WriteAsync(payload, ct);
        await s.CloseWriteAsync(ct);
        await h.Dialer.CloseAsync(ct);
        Assert.True(h.Dialer.Completion.IsCompletedSuccessfully);
        await h.Listener.Completion.WaitAsync(ct);
        Assert.True(h.Listener.Completion.IsCompletedSuccessfully);

        // Everything queued before CloseAsync was flushed, FIN included.
        var received = await YamuxTestData.ReadToEndAsync(accepted, ct);
        Assert.Equal([(byte)'!', .. payload], received);
        await Assert.ThrowsAsync<IOException>(async () => await h.Dialer.OpenStreamAsync(ct));
        await Assert.ThrowsAsync<IOException>(async () => await h.Listener.AcceptStreamAsync(ct));
    }

    [Fact]
    public async Task CloseAsync_against_a_raw_peer_writes_GoAway_then_closes_the_connection()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);

        var closing = h.Session.CloseAsync(ct).AsTask();
        Assert.Equal("000300000000000000000000", (await h.Raw!.ReadFrameAsync(ct)).Hex);
        Assert.True(await h.Raw.ReadsToEndAsync(ct));
        await closing;
        Assert.True(h.Session.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Disposing_the_session_resets_streams_and_ends_accept_and_open()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var s = await h.Dialer!.OpenStreamAsync(ct);
        await s.WriteAsync("x"u8.ToArray(), ct);
        var remote = await h.Listener!.AcceptStreamAsync(ct);
        var pendingRead = s.ReadAsync(new byte[1], ct).AsTask();
        var pendingAccept = h.Dialer.AcceptStreamAsync(ct).AsTask();

        await h.Dialer.DisposeAsync();

        Assert.True(h.Dialer.Completion.IsCompletedSuccessfully);
        await Assert.ThrowsAsync<IOException>(() => pendingRead);
        await Assert.ThrowsAsync<IOException>(() => pendingAccept);
        await Assert.ThrowsAsync<IOException>(async () => await h.Dialer.OpenStreamAsync(ct));
        await Assert.ThrowsAsync<IOException>(() => h.Dialer.PingAsync(ct));
        Assert.Equal(0, h.Dialer.StreamCount);

        // The peer sees the connection end: its stream fails, its session completes.
        Assert.Equal(1, await remote.ReadAsync(new byte[1], ct));
        await Assert.ThrowsAsync<IOException>(async () => _ = await remote.ReadAsync(new byte[1], ct));
        await h.Listener.Completion.WaitAsync(ct);
    }

    [Fact]
    public async Task Outbound_stream_limit_throws_and_frees_up_when_streams_close()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(new YamuxOptions { MaxOutboundStreams = 2 }, ct);

        var one = await h.Dialer!.OpenStreamAsync(ct);
        await h.Dialer.OpenStreamAsync(ct);
        await Assert.ThrowsAsync<IOException>(async () => await h.Dialer.OpenStreamAsync(ct));

        one.Reset();
        Assert.Equal(5u, (await h.Dialer.OpenStreamAsync(ct)).Id);
    }

    [Fact]
    public async Task Keepalive_ends_a_session_whose_peer_never_answers_pings()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(50), PingTimeout = TimeSpan.FromMilliseconds(200) };
        await using var h = await YamuxTestHarness.RawPeerAsync(options, cancellationToken: ct);
        h.Raw!.AnswerPings = false;

        var ex = await Assert.ThrowsAsync<IOException>(() => h.Session.Completion.WaitAsync(ct));
        Assert.Contains("keepalive", ex.Message, StringComparison.Ordinal);
        Assert.Contains(h.Log.Entries, e => e.Id.Id == 7004);
    }

    [Fact]
    public async Task Concurrent_pings_share_one_outstanding_ping_and_only_matching_ACKs_count()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;
        raw.AnswerPings = false;

        // The session pings once at start (RTT); later PingAsync calls join that ping.
        var first = await raw.ReadFrameAsync(ct);
        Assert.Equal((byte)2, first.Type);
        Assert.Equal((ushort)1, first.Flags);
        var p1 = h.Session.PingAsync(ct);
        var p2 = h.Session.PingAsync(ct);

        await raw.SendFrameAsync(2, 2, 0, first.Length + 100, ct); // unsolicited ACK: ignored
        await raw.SyncAsync(1234, ct);
        Assert.False(p1.IsCompleted);

        await raw.SendFrameAsync(2, 2, 0, first.Length, ct);
        await Task.WhenAll(p1, p2);

        // The next ping is a new one with a new value.
        var p3 = h.Session.PingAsync(ct);
        var second = await raw.ReadFrameAsync(ct);
        Assert.Equal((byte)2, second.Type);
        Assert.NotEqual(first.Length, second.Length);
        await raw.SendFrameAsync(2, 2, 0, second.Length, ct);
        await p3;
        Assert.False(h.Session.Completion.IsCompleted);
    }
}
