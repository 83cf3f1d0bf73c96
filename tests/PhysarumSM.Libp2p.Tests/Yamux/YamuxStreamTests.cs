using System.Text;
using PhysarumSM.Libp2p.Muxing;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

public sealed class YamuxStreamTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Either_side_opens_and_the_other_echoes(bool dialerOpens)
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);
        var opener = dialerOpens ? h.Dialer! : h.Listener!;
        var acceptor = dialerOpens ? h.Listener! : h.Dialer!;

        var echo = Task.Run(async () => YamuxTestData.EchoAsync(await acceptor.AcceptStreamAsync(ct), ct), ct);
        var stream = await opener.OpenStreamAsync(ct);
        Assert.Equal(dialerOpens ? 1u : 2u, stream.Id);

        await stream.WriteAsync("hello yamux"u8.ToArray(), ct);
        await stream.CloseWriteAsync(ct);
        var back = await YamuxTestData.ReadToEndAsync(stream, ct);
        Assert.Equal("hello yamux", Encoding.ASCII.GetString(back));
        await await echo;

        // Second stream gets the next id of the same parity.
        var second = await opener.OpenStreamAsync(ct);
        Assert.Equal(dialerOpens ? 3u : 4u, second.Id);
    }

    [Fact]
    public async Task Hundred_concurrent_streams_each_echo_one_MiB_intact()
    {
        const int Streams = 100;
        const int Size = 1024 * 1024;
        using var guard = YamuxTestData.Guard(60);
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var server = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (int i = 0; i < Streams; i++)
            {
                var s = await h.Listener!.AcceptStreamAsync(ct);
                echoes.Add(Task.Run(() => YamuxTestData.EchoAsync(s, ct), ct));
            }

            await Task.WhenAll(echoes);
        }, ct);

        var clients = Enumerable.Range(0, Streams).Select(i => Task.Run(async () =>
        {
            var data = YamuxTestData.Pattern(Size, i);
            await using var s = await h.Dialer!.OpenStreamAsync(ct);
            var reading = YamuxTestData.ReadToEndAsync(s, ct);
            for (int off = 0; off < Size; off += 100_000)
            {
                await s.WriteAsync(data.AsMemory(off, Math.Min(100_000, Size - off)), ct);
            }

            await s.CloseWriteAsync(ct);
            var echoed = await reading;
            Assert.Equal(Size, echoed.Length);
            Assert.True(data.AsSpan().SequenceEqual(echoed), $"stream {s.Id} bytes differ");
        }, ct)).ToArray();

        await Task.WhenAll(clients);
        await server;
    }

    [Fact]
    public async Task Half_close_ends_writes_but_reads_go_on_until_the_peer_closes()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var a = await h.Dialer!.OpenStreamAsync(ct);
        await a.WriteAsync("ping"u8.ToArray(), ct);
        await a.CloseWriteAsync(ct);
        await Assert.ThrowsAsync<IOException>(async () => await a.WriteAsync("more"u8.ToArray(), ct));
        Assert.False(a.CanWrite);

        var b = await h.Listener!.AcceptStreamAsync(ct);
        Assert.Equal("ping", Encoding.ASCII.GetString(await YamuxTestData.ReadToEndAsync(b, ct)));
        Assert.Equal(0, await b.ReadAsync(new byte[10], ct)); // EOF stays EOF

        // The other direction is still open.
        await b.WriteAsync("pong"u8.ToArray(), ct);
        await b.CloseWriteAsync(ct);
        Assert.Equal("pong", Encoding.ASCII.GetString(await YamuxTestData.ReadToEndAsync(a, ct)));

        // Both sides closed: both sessions forgot the stream.
        Assert.Equal(0, h.Dialer.StreamCount);
        Assert.Equal(0, h.Listener.StreamCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reset_fails_reads_and_writes_on_both_ends(bool openerResets)
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var opened = await h.Dialer!.OpenStreamAsync(ct);
        await opened.WriteAsync("x"u8.ToArray(), ct);
        var accepted = await h.Listener!.AcceptStreamAsync(ct);
        Assert.Equal(1, await accepted.ReadAsync(new byte[1], ct));

        var (resetter, victim) = openerResets ? (opened, accepted) : (accepted, opened);
        var victimRead = victim.ReadAsync(new byte[1], ct).AsTask();
        resetter.Reset();

        var ex = await Assert.ThrowsAsync<IOException>(() => victimRead);
        Assert.Contains("reset by the peer", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(async () => await victim.WriteAsync(new byte[1], ct));
        await Assert.ThrowsAsync<IOException>(async () => _ = await resetter.ReadAsync(new byte[1], ct));
        await Assert.ThrowsAsync<IOException>(async () => await resetter.WriteAsync(new byte[1], ct));
        Assert.Equal(0, h.Dialer.StreamCount);
        Assert.Equal(0, h.Listener.StreamCount);
    }

    [Fact]
    public async Task A_write_waiting_on_the_window_fails_when_the_peer_resets()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var opened = await h.Dialer!.OpenStreamAsync(ct);
        var write = opened.WriteAsync(new byte[1024 * 1024], ct).AsTask(); // more than the 256 KiB window
        var accepted = await h.Listener!.AcceptStreamAsync(ct);
        Assert.False(write.IsCompleted);
        accepted.Reset();
        await Assert.ThrowsAsync<IOException>(() => write);
    }

    [Fact]
    public async Task Disposing_a_stream_closes_its_write_side_and_discards_later_data_without_stalling_the_peer()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var a = await h.Dialer!.OpenStreamAsync(ct);
        await a.WriteAsync("bye"u8.ToArray(), ct);
        await a.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => _ = await a.ReadAsync(new byte[1], ct));

        var b = await h.Listener!.AcceptStreamAsync(ct);
        Assert.Equal("bye", Encoding.ASCII.GetString(await YamuxTestData.ReadToEndAsync(b, ct)));

        // Four windows' worth: completes only if the disposed end keeps granting window as it discards.
        await b.WriteAsync(new byte[4 * YamuxOptions.SpecInitialWindow], ct);
        await b.CloseWriteAsync(ct);

        // A ping from the dialer is answered after the listener's FIN, so the dialer has seen it by then.
        await h.Dialer.PingAsync(ct);
        Assert.Equal(0, h.Dialer.StreamCount);
        Assert.Equal(0, h.Listener.StreamCount);
    }

    [Fact]
    public async Task Bytes_received_before_the_peer_hangs_up_stay_readable()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);

        var a = await h.Dialer!.OpenStreamAsync(ct);
        var b = await AcceptAfterWriteAsync(a, h.Listener!, ct);
        await b.WriteAsync("last words"u8.ToArray(), ct);
        await b.CloseWriteAsync(ct);
        await h.Listener!.CloseAsync(ct);
        await h.Dialer.Completion.WaitAsync(ct);

        Assert.Equal("last words", Encoding.ASCII.GetString(await YamuxTestData.ReadToEndAsync(a, ct)));
    }

    [Fact]
    public async Task Sync_io_is_refused_and_concurrent_reads_are_rejected()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);
        var s = await h.Dialer!.OpenStreamAsync(ct);

        Assert.Throws<NotSupportedException>(() => s.Read(new byte[1], 0, 1));
        Assert.Throws<NotSupportedException>(() => s.Write(new byte[1], 0, 1));
        var pending = s.ReadAsync(new byte[1], ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => _ = await s.ReadAsync(new byte[1], ct));
        s.Reset();
        await Assert.ThrowsAsync<IOException>(async () => await pending);
    }

    [Fact]
    public async Task Cancelled_read_leaves_the_stream_usable()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.SessionsAsync(cancellationToken: ct);
        var a = await h.Dialer!.OpenStreamAsync(ct);
        var b = await AcceptAfterWriteAsync(a, h.Listener!, ct);

        using (var cts = new CancellationTokenSource())
        {
            var read = a.ReadAsync(new byte[4], cts.Token).AsTask();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        }

        await b.WriteAsync("ok"u8.ToArray(), ct);
        var buffer = new byte[4];
        Assert.Equal(2, await a.ReadAsync(buffer, ct));
    }

    private static async Task<MuxedStream> AcceptAfterWriteAsync(MuxedStream opened, YamuxSession acceptor, CancellationToken ct)
    {
        await opened.WriteAsync("!"u8.ToArray(), ct);
        var accepted = await acceptor.AcceptStreamAsync(ct);
        Assert.Equal(1, await accepted.ReadAsync(new byte[1], ct));
        return accepted;
    }
}
