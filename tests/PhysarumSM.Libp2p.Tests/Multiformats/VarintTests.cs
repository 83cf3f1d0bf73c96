using FsCheck.Xunit;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Tests.Multiformats;

public sealed class VarintTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(255UL, "ff01")]
    [InlineData(300UL, "ac02")]
    [InlineData(421UL, "a503")]
    [InlineData(769UL, "8106")]
    [InlineData(16384UL, "808001")]
    [InlineData(65535UL, "ffff03")]
    [InlineData(long.MaxValue, "ffffffffffffffff7f")]
    public void Encodes_and_decodes_known_vectors(ulong value, string hex)
    {
        var expected = Convert.FromHexString(hex);
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        var written = Varint.Write(buffer, value);
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.Equal(expected.Length, Varint.GetLength(value));

        Assert.True(Varint.TryRead(expected, out var decoded, out var read));
        Assert.Equal(value, decoded);
        Assert.Equal(expected.Length, read);
    }

    [Fact]
    public void Read_stops_at_the_end_of_the_varint()
    {
        Assert.True(Varint.TryRead([0xac, 0x02, 0xff, 0xff], out var value, out var read));
        Assert.Equal(300UL, value);
        Assert.Equal(2, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("ffff")]
    [InlineData("ffffffffffffffff")]
    public void Incomplete_input_asks_for_more(string hex)
    {
        Assert.False(Varint.TryRead(Convert.FromHexString(hex), out _, out var read));
        Assert.Equal(0, read);
    }

    [Theory]
    [InlineData("8000")]
    [InlineData("ff00")]
    [InlineData("818000")]
    public void Non_minimal_encodings_are_rejected(string hex)
    {
        var e = Assert.Throws<FormatException>(() => Varint.TryRead(Convert.FromHexString(hex), out _, out _));
        Assert.Contains("minimal", e.Message);
    }

    [Theory]
    [InlineData("ffffffffffffffff80")]
    [InlineData("ffffffffffffffffff01")]
    public void More_than_nine_bytes_are_rejected(string hex)
    {
        var e = Assert.Throws<FormatException>(() => Varint.TryRead(Convert.FromHexString(hex), out _, out _));
        Assert.Contains("9 bytes", e.Message);
    }

    [Fact]
    public void Values_above_63_bits_cannot_be_written()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Varint.GetLength(1UL << 63));
        Assert.Throws<ArgumentOutOfRangeException>(() => Varint.Write(new byte[10], ulong.MaxValue));
    }

    [Fact]
    public void Write_into_a_short_buffer_fails_cleanly()
    {
        Assert.Throws<ArgumentException>(() => Varint.Write(new byte[1], 300));
    }

    [Fact]
    public void ReadComplete_names_the_truncation_offset()
    {
        var offset = 3;
        var e = Assert.Throws<FormatException>(() => Varint.ReadComplete([0x01, 0x02, 0x03, 0x80], ref offset));
        Assert.Equal("truncated varint at byte 3", e.Message);
    }

    [Fact]
    public async Task ReadAsync_reads_exactly_one_varint()
    {
        using var stream = new MemoryStream([0xa5, 0x03, 0x07]);
        Assert.Equal(421UL, await Varint.ReadAsync(stream, CancellationToken.None));
        Assert.Equal(2, stream.Position);
    }

    [Fact]
    public async Task ReadAsync_throws_EndOfStream_on_eof()
    {
        await Assert.ThrowsAsync<EndOfStreamException>(async () => await Varint.ReadAsync(new MemoryStream([]), CancellationToken.None));
        await Assert.ThrowsAsync<EndOfStreamException>(async () => await Varint.ReadAsync(new MemoryStream([0x80, 0x80]), CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_throws_Format_on_bad_encoding()
    {
        await Assert.ThrowsAsync<FormatException>(async () => await Varint.ReadAsync(new MemoryStream([0x80, 0x00]), CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(async () => await Varint.ReadAsync(new MemoryStream(Enumerable.Repeat((byte)0xff, 12).ToArray()), CancellationToken.None));
    }

    [Property(MaxTest = 1000)]
    public bool Round_trips_every_63_bit_value(ulong raw)
    {
        var value = raw & Varint.MaxValue;
        var bytes = Varint.Encode(value);
        return Varint.TryRead(bytes, out var decoded, out var read) && decoded == value && read == bytes.Length
            && Varint.ReadAsync(new MemoryStream(bytes), CancellationToken.None).AsTask().Result == value;
    }

    [Property(MaxTest = 2000)]
    public bool TryRead_only_throws_FormatException(byte[] input) =>
        ParserFuzzing.OnlyThrows<FormatException>(() =>
        {
            if (Varint.TryRead(input, out _, out var read))
            {
                Assert.InRange(read, 1, Varint.MaxLength);
            }
        });
}
