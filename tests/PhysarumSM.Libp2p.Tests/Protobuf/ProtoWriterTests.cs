using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Libp2p.Tests.Protobuf;

public sealed class ProtoWriterTests
{
    [Fact]
    public void Writes_the_canonical_ed25519_public_key()
    {
        var writer = new ProtoWriter();
        writer.WriteVarint(1, 1);
        writer.WriteBytes(2, Convert.FromHexString("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        Assert.Equal("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e", Convert.ToHexStringLower(writer.ToArray()));
        Assert.Equal(36, writer.Length);
        Assert.Equal(writer.ToArray(), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Zero_values_are_written_when_asked()
    {
        var writer = new ProtoWriter();
        writer.WriteVarint(1, 0);
        writer.WriteBytes(2, []);
        writer.WriteString(3, "");
        Assert.Equal("080012001a00", Convert.ToHexStringLower(writer.ToArray()));
    }

    [Theory] // tag bytes from the wire digest section 3
    [InlineData(1, WireType.Varint, "08")]
    [InlineData(1, WireType.LengthDelimited, "0a")]
    [InlineData(2, WireType.Varint, "10")]
    [InlineData(2, WireType.LengthDelimited, "12")]
    [InlineData(3, WireType.LengthDelimited, "1a")]
    [InlineData(4, WireType.LengthDelimited, "22")]
    [InlineData(8, WireType.LengthDelimited, "42")]
    [InlineData(10, WireType.Varint, "50")]
    [InlineData(16, WireType.Varint, "8001")]
    [InlineData(1, WireType.Fixed64, "09")]
    [InlineData(1, WireType.Fixed32, "0d")]
    public void Tags(int field, WireType wireType, string hex)
    {
        var writer = new ProtoWriter();
        writer.WriteTag(field, wireType);
        Assert.Equal(hex, Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void Other_field_kinds()
    {
        var writer = new ProtoWriter();
        writer.WriteString(1, "/ipfs/id/1.0.0");
        writer.WriteBool(2, true);
        writer.WriteFixed32(3, 0x01020304);
        writer.WriteFixed64(4, 0x0102030405060708);
        writer.WriteVarint(5, ulong.MaxValue); // how protobuf encodes int64 -1: ten bytes
        Assert.Equal("0a0e2f697066732f69642f312e302e30" + "1001" + "1d04030201" + "210807060504030201" + "28ffffffffffffffffff01",
            Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void Nested_messages_and_reuse()
    {
        var inner = new ProtoWriter();
        inner.WriteVarint(1, 150);
        var outer = new ProtoWriter();
        outer.WriteBytes(3, inner.WrittenSpan);
        Assert.Equal("1a03089601", Convert.ToHexStringLower(outer.WrittenSpan));
        outer.Clear();
        Assert.Equal(0, outer.Length);
        outer.WriteRawVarint(300);
        Assert.Equal("ac02", Convert.ToHexStringLower(outer.WrittenSpan));
    }

    [Fact]
    public void Writes_into_a_caller_buffer()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        System.Buffers.BuffersExtensions.Write(buffer, [(byte)0xff]);
        var writer = new ProtoWriter(buffer);
        writer.WriteVarint(1, 1);
        Assert.Equal("ff0801", Convert.ToHexStringLower(buffer.WrittenSpan));
    }

    [Fact]
    public void Invalid_field_numbers_are_rejected()
    {
        var writer = new ProtoWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteVarint(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteVarint(1 << 29, 1));
    }
}
