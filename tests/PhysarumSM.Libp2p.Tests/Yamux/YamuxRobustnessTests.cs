using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using PhysarumSM.Libp2p.Tests.Support;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

/// <summary>Broken, hostile and random peers: the session ends cleanly with a reason, or survives.</summary>
public sealed class YamuxRobustnessTests
{
    private const string GoAwayProtocolError = "000300000000000000000001";

    // The session dials, so the raw peer is the listener and opens even ids.
    [Theory]
    [InlineData("010100010000000200000000", "version")]
    [InlineData("000900000000000000000000", "unknown frame type")]
    [InlineData("000100030000000200000000", "SYN and ACK")]
    [InlineData("000100100000000200000000", "unknown flags")]
    [InlineData("000100010000000100000000", "parity")]
    [InlineData("000100010000000200000000" + "000100010000000200000000", "duplicate SYN")]
    [InlineData("000000000000000000000005" + "68656c6c6f", "stream 0")]
    [InlineData("000100000000000000000010", "stream 0")]
    [InlineData("000200010000000100000000", "Ping frame on stream 1")]
    [InlineData("000200040000000000000000", "neither SYN nor ACK")]
    [InlineData("000200030000000000000000", "neither SYN nor ACK")]
    [InlineData("000300010000000000000000", "GoAway frame with flags")]
    [InlineData("000000000000000201000001", "larger than any window")]
    public async Task Protocol_violations_end_the_session_with_GoAway_and_a_logged_reason(string hex, string reason)
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await raw.SendHexAsync(hex, ct);
        await ExpectGoAwayProtocolErrorAsync(raw, ct);

        var ex = await Assert.ThrowsAsync<Libp2pProtocolException>(() => h.Session.Completion.WaitAsync(ct));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains(h.Log.Entries, e => e.Id.Id == 7001 && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_peer_exceeding_our_receive_window_gets_GoAway_protocol_error()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;

        await raw.SendHexAsync("000100010000000200000000", ct);
        Assert.Equal("000100020000000200000000", (await raw.ReadFrameAsync(ct)).Hex);

        // Exactly the window is fine (nobody reads, so no update is due)...
        for (int i = 0; i < 4; i++)
        {
            await raw.SendDataAsync(2, new byte[65536], ct);
        }

        Assert.Empty(await raw.SyncAsync(1, ct));
        Assert.False(h.Session.Completion.IsCompleted);

        // ...one byte more is a violation.
        await raw.SendDataAsync(2, [42], ct);
        await ExpectGoAwayProtocolErrorAsync(raw, ct);
        var ex = await Assert.ThrowsAsync<Libp2pProtocolException>(() => h.Session.Completion.WaitAsync(ct));
        Assert.Contains("stream 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SYNs_beyond_backlog_and_stream_limits_are_reset_and_the_session_survives()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        var options = new YamuxOptions { AcceptBacklog = 4, MaxInboundStreams = 6 };
        await using var h = await YamuxTestHarness.RawPeerAsync(options, cancellationToken: ct);
        var raw = h.Raw!;

        // Ten opens in one write: four fit the backlog, six are refused.
        var flood = new MemoryStream();
        for (uint id = 2; id <= 20; id += 2)
        {
            flood.Write(RawFrame.Encode(1, 1, id, 0));
        }

        await raw.Stream.WriteAsync(flood.ToArray(), ct);
        var answers = await raw.SyncAsync(1, ct);
        Assert.Equal(
            new uint[] { 2, 4, 6, 8 }.Select(id => ("ack", id)).Concat(new uint[] { 10, 12, 14, 16, 18, 20 }.Select(id => ("rst", id))),
            answers.Select(f => (f.Flags == 2 ? "ack" : f.Flags == 8 ? "rst" : "?", f.StreamId)));

        // Accepting frees the backlog; the stream limit (6 live inbound) still applies.
        for (int i = 0; i < 4; i++)
        {
            await h.Session.AcceptStreamAsync(ct);
        }

        byte[] three = [.. RawFrame.Encode(1, 1, 22, 0), .. RawFrame.Encode(1, 1, 24, 0), .. RawFrame.Encode(1, 1, 26, 0)];
        await raw.Stream.WriteAsync(three, ct);
        answers = await raw.SyncAsync(2, ct);
        Assert.Equal([(2, 22u), (2, 24u), (8, 26u)], answers.Select(f => ((int)f.Flags, f.StreamId)));
        Assert.Equal(6, h.Session.StreamCount);
        Assert.Equal(7, h.Session.Counters.StreamsRefused);
        Assert.False(h.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_flood_of_thousands_of_SYNs_is_absorbed_with_RSTs()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var h = await YamuxTestHarness.RawPeerAsync(cancellationToken: ct);
        var raw = h.Raw!;
        const int Opens = 3000;

        var flood = new MemoryStream();
        for (uint i = 0; i < Opens; i++)
        {
            flood.Write(RawFrame.Encode(1, 1, 2 + (2 * i), 0));
        }

        var sending = raw.Stream.WriteAsync(flood.ToArray(), ct).AsTask();
        var answers = await raw.SyncAsync(1, ct);
        await sending;
        Assert.Equal(256, answers.Count(f => f.Flags == 2));
        Assert.Equal(Opens - 256, answers.Count(f => f.Flags == 8));
        Assert.False(h.Session.Completion.IsCompleted);

        // Still alive both ways: our ping is answered while the raw peer waits for its own.
        var ping = h.Session.PingAsync(ct);
        await raw.SyncAsync(2, ct);
        Assert.True(await ping > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_peer_that_sends_pings_but_never_reads_is_cut_off_instead_of_growing_our_queue()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;

        // No write timeout: on a loaded machine it could end the stalled session first ("took longer than"), and
        // what this test shows is the queue bound, which needs no clock.
        var options = new YamuxOptions { WriteTimeout = TimeSpan.Zero };
        await using var h = await YamuxTestHarness.RawPeerAsync(options, cancellationToken: ct);
        h.Pair.Client.Socket.SendBufferSize = 4096;
        h.Pair.Server.Socket.ReceiveBufferSize = 4096;

        // Our replies pile up: kernel buffers fill, then the writer's bounded queue; then the session ends.
        var pings = new byte[12 * 1000];
        for (int i = 0; i < pings.Length; i += 12)
        {
            RawFrame.Encode(2, 1, 0, (uint)i).CopyTo(pings, i);
        }

        try
        {
            while (!h.Session.Completion.IsCompleted)
            {
                await h.Raw!.Stream.WriteAsync(pings, ct);
            }
        }
        catch (IOException)
        {
            // The session hung up while we were still writing.
        }

        var ex = await Assert.ThrowsAsync<Libp2pProtocolException>(() => h.Session.Completion.WaitAsync(ct));
        Assert.Contains("faster than it reads", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_to_the_connection_that_never_completes_ends_the_session_after_WriteTimeout()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        var options = new YamuxOptions { WriteTimeout = TimeSpan.FromMilliseconds(300) };
        await using var h = await YamuxTestHarness.RawPeerAsync(options, cancellationToken: ct);
        h.Pair.Client.Socket.SendBufferSize = 4096;
        h.Pair.Server.Socket.ReceiveBufferSize = 4096;

        // The raw peer never reads: one window of data cannot leave the kernel buffers.
        var s = await h.Session.OpenStreamAsync(ct);
        await s.WriteAsync(new byte[YamuxOptions.SpecInitialWindow], ct);

        var ex = await Assert.ThrowsAsync<IOException>(() => h.Session.Completion.WaitAsync(ct));
        Assert.Contains("took longer than", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(async () => await s.WriteAsync(new byte[1], ct));
    }

    [Fact]
    public async Task Many_small_writes_are_coalesced_into_few_underlying_writes()
    {
        using var guard = YamuxTestData.Guard();
        var ct = guard.Token;
        await using var pair = await LoopbackPair.CreateAsync(ct);
        var gated = new FirstWriteGate(pair.Client);
        await using var session = new YamuxMuxer(new YamuxOptions { KeepAliveInterval = TimeSpan.Zero }).StartSession(gated, isInitiator: true);

        // The initial RTT ping is the first write; it is held until we have queued 200 frames behind it.
        await gated.FirstWriteStarted.WaitAsync(ct);
        var s = await session.OpenStreamAsync(ct);
        for (int i = 0; i < 200; i++)
        {
            await s.WriteAsync(new byte[100], ct);
        }

        gated.Release();
        var raw = new RawYamuxPeer(pair.Server);
        int dataFrames = 0;
        while (dataFrames < 200)
        {
            if ((await raw.ReadFrameAsync(ct)).Type == 0)
            {
                dataFrames++;
            }
        }

        // One write for the held ping, one for the SYN and all 200 Data frames.
        Assert.Equal(2, gated.Writes);
    }

    [Fact]
    public async Task Random_truncated_and_oversized_frame_sequences_end_cleanly()
    {
        using var guard = YamuxTestData.Guard(50);
        var ct = guard.Token;
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.ToString().Contains("Yamux", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref unobserved);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var cases = FuzzInputs().Sample(60, 120)
                .Concat(ArbMap.Default.GeneratorFor<byte[]>().Sample(200, 60))
                .ToList();
            foreach (var input in cases)
            {
                await FeedAndExpectCleanEndAsync(input, ct);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    /// <summary>
    /// Writes <paramref name="input"/> raw into a session (which may answer), then closes our write side: whatever
    /// the bytes were, the session must end by itself, with a clean result or an IOException, and never hang.
    /// </summary>
    private static async Task FeedAndExpectCleanEndAsync(byte[] input, CancellationToken ct)
    {
        await using var h = await YamuxTestHarness.RawPeerAsync(new YamuxOptions { MaxDataFrame = 1000, WriteBatchSize = 70 * 1024 }, cancellationToken: ct);
        var draining = h.Raw!.ReadsToEndAsync(ct);
        try
        {
            await h.Raw.Stream.WriteAsync(input, ct);
            h.Raw.Stream.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (IOException)
        {
            // The session may already have hung up on an early violation.
        }

        try
        {
            await h.Session.Completion.WaitAsync(ct);
        }
        catch (IOException)
        {
            // Ended with a reason: fine (Libp2pProtocolException is an IOException).
        }

        Assert.True(h.Session.Completion.IsCompleted);
        await draining;
    }

    /// <summary>Frame sequences that are nearly valid: random types, flags, small ids, odd lengths, cut anywhere.</summary>
    private static Gen<byte[]> FuzzInputs()
    {
        var frame =
            from type in Gen.Frequency((6, Gen.Choose(0, 3)), (1, Gen.Choose(4, 255)))
            from flags in Gen.Frequency((6, Gen.Elements(0, 1, 2, 4, 8, 5, 12)), (1, Gen.Choose(0, 0xffff)))
            from id in Gen.Frequency((6, Gen.Choose(0, 8)), (1, Gen.Choose(0, int.MaxValue)))
            from length in Gen.Frequency((6, Gen.Choose(0, 600)), (1, Gen.Choose(262_000, 300_000)), (1, Gen.Choose(0, int.MaxValue)))
            from version in Gen.Frequency((12, Gen.Constant(0)), (1, Gen.Choose(1, 255)))
            from bodyCut in Gen.Choose(0, 600)
            select BuildFrame((byte)version, (byte)type, (ushort)flags, (uint)id, (uint)length, bodyCut);
        return
            from frames in Gen.ListOf(frame)
            from cut in Gen.Choose(0, 100)
            select Truncate([.. frames.SelectMany(f => f)], cut);
    }

    private static byte[] BuildFrame(byte version, byte type, ushort flags, uint id, uint length, int bodyCut)
    {
        var header = RawFrame.Encode(type, flags, id, length);
        header[0] = version;

        // Data bodies are written in full when short, otherwise only partly (a truncated frame).
        int body = type == 0 ? (int)Math.Min(length, (uint)bodyCut) : 0;
        return [.. header, .. new byte[body]];
    }

    // Keeps everything (cut >= 50) or drops a random tail.
    private static byte[] Truncate(byte[] bytes, int cut) =>
        cut >= 50 || bytes.Length == 0 ? bytes : bytes[..(bytes.Length * cut / 50)];

    private static async Task ExpectGoAwayProtocolErrorAsync(RawYamuxPeer raw, CancellationToken ct)
    {
        while (true)
        {
            var frame = await raw.ReadFrameAsync(ct);
            if (frame.Type == 3)
            {
                Assert.Equal(GoAwayProtocolError, frame.Hex);
                break;
            }
        }

        Assert.True(await raw.ReadsToEndAsync(ct));
    }

    /// <summary>Holds the first write until released and counts writes. Why: makes coalescing observable without timing.</summary>
    private sealed class FirstWriteGate(Stream inner) : Stream
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task FirstWriteStarted => _started.Task;

        public int Writes => Volatile.Read(ref _writes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Release() => _release.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _writes) == 1)
            {
                _started.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask DisposeAsync()
        {
            _release.TrySetResult();
            return inner.DisposeAsync();
        }
    }
}
