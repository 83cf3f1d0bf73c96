using System.Buffers.Binary;
using PhysarumSM.Libp2p.Noise;
using PhysarumSM.Libp2p.Tests.Support;

namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>Transport-phase framing, splitting, partial reads and failure handling of <see cref="NoiseStream"/>.</summary>
public sealed class NoiseStreamTests
{
    private static readonly byte[] KeyA = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task A_large_write_is_split_into_max_size_frames_sent_in_one_inner_write()
    {
        var wire = new ScriptedStream([]);
        var stream = new NoiseStream(wire, KeyA, KeyB);
        var plaintext = new byte[(2 * NoiseStream.MaxPlaintextSize) + 10];
        new Random(1).NextBytes(plaintext);
        var copy = plaintext.ToArray();

        await stream.WriteAsync(plaintext, Guard);

        Assert.Equal(1, wire.WriteCount);
        Assert.Equal(copy, plaintext);
        var bytes = wire.Written;
        Assert.Equal(plaintext.Length + (3 * 18), bytes.Length);
        Assert.Equal(65535, BinaryPrimitives.ReadUInt16BigEndian(bytes));
        Assert.Equal(65535, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(65537)));
        Assert.Equal(26, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2 * 65537)));

        var reader = new NoiseStream(new ScriptedStream(bytes, seed: 5), KeyB, KeyA);
        var received = new byte[plaintext.Length];
        await reader.ReadExactlyAsync(received, Guard);
        Assert.Equal(plaintext, received);
    }

    [Fact]
    public async Task Reads_may_take_part_of_a_message_and_span_messages()
    {
        var wire = new ScriptedStream([]);
        var writer = new NoiseStream(wire, KeyA, KeyB);
        await writer.WriteAsync("hello "u8.ToArray(), Guard);
        await writer.WriteAsync("noise "u8.ToArray(), Guard);
        await writer.WriteAsync("world"u8.ToArray(), Guard);

        var reader = new NoiseStream(new ScriptedStream(wire.Written, seed: 9), KeyB, KeyA);
        var collected = new List<byte>();
        var buffer = new byte[4];
        int n;
        while ((n = await reader.ReadAsync(buffer, Guard)) > 0)
        {
            Assert.True(n <= 4);
            collected.AddRange(buffer[..n]);
        }

        Assert.Equal("hello noise world"u8.ToArray(), collected.ToArray());
    }

    [Fact]
    public void Empty_messages_are_skipped_and_never_read_as_end_of_stream()
    {
        var frames = new List<byte>();
        using (var sender = new CipherState(KeyA))
        {
            frames.AddRange(Frame(sender, []));
            frames.AddRange(Frame(sender, [42]));
            frames.AddRange(Frame(sender, []));
        }

        var reader = new NoiseStream(new ScriptedStream([.. frames]), KeyB, KeyA);
        var buffer = new byte[8];
        Assert.Equal(1, reader.Read(buffer));
        Assert.Equal(42, buffer[0]);
        Assert.Equal(0, reader.Read(buffer));
    }

    [Fact]
    public async Task A_tampered_message_is_a_protocol_error_and_the_stream_stays_broken()
    {
        var wire = new ScriptedStream([]);
        await new NoiseStream(wire, KeyA, KeyB).WriteAsync(new byte[100], Guard);
        var bytes = wire.Written;
        bytes[50] ^= 0x80;

        var reader = new NoiseStream(new ScriptedStream(bytes), KeyB, KeyA);
        await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await reader.ReadAtLeastAsync(new byte[200], 1, throwOnEndOfStream: false, Guard));
        await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await reader.ReadAtLeastAsync(new byte[200], 1, throwOnEndOfStream: false, Guard));
    }

    [Fact]
    public async Task Wrong_direction_key_fails_authentication()
    {
        var wire = new ScriptedStream([]);
        await new NoiseStream(wire, KeyA, KeyB).WriteAsync(new byte[10], Guard);
        var reader = new NoiseStream(new ScriptedStream(wire.Written), KeyB, KeyB);
        await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await reader.ReadAtLeastAsync(new byte[10], 1, throwOnEndOfStream: false, Guard));
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 })] // shorter than a tag
    [InlineData(new byte[] { 0x00, 0x20, 1, 2, 3 })] // closed inside a frame
    [InlineData(new byte[] { 0x00 })] // closed inside a length prefix
    public async Task Frame_errors_are_protocol_errors(byte[] input)
    {
        var reader = new NoiseStream(new ScriptedStream(input), KeyB, KeyA);
        await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await reader.ReadAtLeastAsync(new byte[100], 1, throwOnEndOfStream: false, Guard));
    }

    [Fact]
    public void Write_and_read_paths_do_not_allocate_per_message()
    {
        var writer = new NoiseStream(Stream.Null, KeyA, KeyB);
        var payload = new byte[1000];
        writer.Write(payload); // warm up pool and JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            writer.Write(payload);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1000, "write path allocates");

        var wire = new MemoryStream();
        var producer = new NoiseStream(wire, KeyA, KeyB);
        for (var i = 0; i < 1001; i++)
        {
            producer.Write(payload);
        }

        wire.Position = 0;
        var reader = new NoiseStream(wire, KeyB, KeyA);
        var buffer = new byte[1000];
        reader.ReadExactly(buffer); // warm up
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            reader.ReadExactly(buffer);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1000, "read path allocates");
    }

    [Fact]
    public async Task One_reader_and_one_writer_may_run_concurrently_on_each_end()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        var a = new NoiseStream(pair.Client, KeyA, KeyB);
        var b = new NoiseStream(pair.Server, KeyB, KeyA);
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);

        async Task PumpAsync(Stream from, Stream to)
        {
            var write = Task.Run(async () =>
            {
                for (var offset = 0; offset < data.Length; offset += 10_000)
                {
                    await from.WriteAsync(data.AsMemory(offset, Math.Min(10_000, data.Length - offset)), Guard);
                }
            });
            var received = new byte[data.Length];
            await to.ReadExactlyAsync(received, Guard);
            await write;
            Assert.Equal(data, received);
        }

        await Task.WhenAll(PumpAsync(a, b), PumpAsync(b, a));
        await a.DisposeAsync();
        Assert.Equal(0, await b.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, Guard));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await a.WriteAsync(new byte[1], Guard));
    }

    private static byte[] Frame(CipherState sender, byte[] plaintext)
    {
        var frame = new byte[2 + plaintext.Length + CipherState.TagSize];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(plaintext.Length + CipherState.TagSize));
        sender.EncryptWithAd([], plaintext, frame.AsSpan(2));
        return frame;
    }
}
