using FsCheck.Xunit;
using PhysarumSM.Libp2p.Protobuf;
using PhysarumSM.Libp2p.Tests.Multiformats;

namespace PhysarumSM.Libp2p.Tests.Protobuf;

public sealed class ProtoReaderTests
{
    [Fact]
    public void Reads_every_field_kind()
    {
        var writer = new ProtoWriter();
        writer.WriteString(1, "héllo");
        writer.WriteBool(2, true);
        writer.WriteFixed32(3, 7);
        writer.WriteFixed64(4, 9);
        writer.WriteVarint(5, ulong.MaxValue);
        writer.WriteBytes(6, [1, 2, 3]);

        var reader = new ProtoReader(writer.WrittenSpan);
        Assert.True(reader.TryReadTag(out var field, out var type));
        Assert.Equal((1, WireType.LengthDelimited), (field, type));
        Assert.Equal("héllo", reader.ReadString());
        Assert.True(reader.TryReadTag(out field, out type));
        Assert.Equal((2, WireType.Varint), (field, type));
        Assert.True(reader.ReadBool());
        Assert.True(reader.TryReadTag(out field, out type));
        Assert.Equal((3, WireType.Fixed32), (field, type));
        Assert.Equal(7u, reader.ReadFixed32());
        Assert.True(reader.TryReadTag(out field, out type));
        Assert.Equal((4, WireType.Fixed64), (field, type));
        Assert.Equal(9ul, reader.ReadFixed64());
        Assert.True(reader.TryReadTag(out field, out _));
        Assert.Equal(5, field);
        Assert.Equal(ulong.MaxValue, reader.ReadVarint());
        Assert.True(reader.TryReadTag(out field, out _));
        Assert.Equal(6, field);
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.ReadBytes().ToArray());
        Assert.False(reader.TryReadTag(out _, out _));
        Assert.True(reader.IsAtEnd);
        Assert.Equal(writer.Length, reader.Position);
    }

    [Fact]
    public void Skips_unknown_fields_of_every_wire_type()
    {
        // field 9 varint, field 10 fixed64, field 11 bytes, field 12 fixed32, then field 1 = 42
        var bytes = Convert.FromHexString("48ac02" + "510102030405060708" + "5a03aabbcc" + "6501020304" + "082a");
        var reader = new ProtoReader(bytes);
        ulong found = 0;
        while (reader.TryReadTag(out var field, out var type))
        {
            if (field == 1)
            {
                found = reader.ReadVarint();
            }
            else
            {
                reader.Skip(type);
            }
        }
        Assert.Equal(42ul, found);
    }

    [Fact]
    public void Non_minimal_protobuf_varints_are_accepted()
    {
        var reader = new ProtoReader([0x81, 0x80, 0x00]);
        Assert.Equal(1ul, reader.ReadVarint());
    }

    [Theory]
    [InlineData("0b", "unsupported protobuf wire type 3 at byte 0")]
    [InlineData("0c", "unsupported protobuf wire type 4")]
    [InlineData("0e", "unsupported protobuf wire type 6")]
    [InlineData("0f", "unsupported protobuf wire type 7")]
    [InlineData("00", "invalid protobuf field number 0")]
    [InlineData("f8ffffff7f", "invalid protobuf field number")]
    [InlineData("80", "truncated protobuf varint at byte 0")]
    [InlineData("0880", "truncated protobuf varint at byte 1")]
    [InlineData("0a05aabb", "declares 5 bytes, 2 left")]
    [InlineData("0affffffffffffffffff01", "declares 18446744073709551615 bytes")]
    [InlineData("0d0102", "truncated at byte 1: need 4 bytes")]
    [InlineData("09010203", "need 8 bytes")]
    [InlineData("08ffffffffffffffffff02", "overflows 64 bits")]
    [InlineData("08ffffffffffffffffff8001", "overflows 64 bits")]
    public void Malformed_input_is_a_FormatException(string hex, string expected)
    {
        var bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<FormatException>(() => ReadAll(bytes));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Invalid_utf8_strings_and_bools_are_rejected()
    {
        Assert.Throws<FormatException>(() => new ProtoReader([0x02, 0xc3, 0x28]).ReadString());
        Assert.Throws<FormatException>(() => new ProtoReader([0x02]).ReadBool());
    }

    [Fact]
    public void Wrong_wire_type_for_a_known_field_is_reported()
    {
        var e = Assert.Throws<FormatException>(() =>
        {
            var reader = new ProtoReader([0x0a, 0x00]);
            reader.TryReadTag(out var field, out var type);
            reader.Expect(field, type, WireType.Varint);
        });
        Assert.Contains("field 1 has wire type LengthDelimited, expected Varint", e.Message);
    }

    [Property(MaxTest = 500)]
    public bool Round_trips_random_messages(ulong[] varints, byte[][] blobs, string[] strings, uint fixed32, ulong fixed64)
    {
        var writer = new ProtoWriter();
        for (var i = 0; i < varints.Length; i++)
        {
            writer.WriteVarint(1 + i % 5, varints[i]);
        }
        foreach (var blob in blobs.Where(b => b is not null))
        {
            writer.WriteBytes(100, blob);
        }
        foreach (var text in strings.Where(s => s is not null && !HasLoneSurrogate(s)))
        {
            writer.WriteString(536_870_911, text);
        }
        writer.WriteFixed32(6, fixed32);
        writer.WriteFixed64(7, fixed64);

        var readVarints = new List<ulong>();
        var readBlobs = new List<byte[]>();
        var readStrings = new List<string>();
        uint read32 = 0;
        ulong read64 = 0;
        var reader = new ProtoReader(writer.WrittenSpan);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case >= 1 and <= 5: readVarints.Add(reader.ReadVarint()); break;
                case 6: read32 = reader.ReadFixed32(); break;
                case 7: read64 = reader.ReadFixed64(); break;
                case 100: readBlobs.Add(reader.ReadBytes().ToArray()); break;
                case 536_870_911: readStrings.Add(reader.ReadString()); break;
                default: reader.Skip(type); break;
            }
        }
        return readVarints.SequenceEqual(varints)
            && readBlobs.Count == blobs.Count(b => b is not null)
            && readBlobs.Zip(blobs.Where(b => b is not null)).All(p => p.First.AsSpan().SequenceEqual(p.Second))
            && readStrings.SequenceEqual(strings.Where(s => s is not null && !HasLoneSurrogate(s)))
            && read32 == fixed32 && read64 == fixed64;
    }

    [Property(MaxTest = 3000)]
    public bool Random_bytes_only_throw_FormatException(byte[] input) =>
        ParserFuzzing.OnlyThrows<FormatException>(() => ReadAll(input));

    [Fact]
    public void Mutated_messages_only_throw_FormatException()
    {
        var writer = new ProtoWriter();
        writer.WriteString(1, "/ipfs/id/1.0.0");
        writer.WriteVarint(2, 300);
        writer.WriteFixed32(3, 1);
        writer.WriteFixed64(4, 2);
        writer.WriteBytes(5, new byte[40]);
        foreach (var mutated in ParserFuzzing.Mutations(writer.ToArray()))
        {
            ParserFuzzing.OnlyThrows<FormatException>(() => ReadAll(mutated));
        }
    }

    /// <summary>Reads everything, decoding length-delimited values as strings and nested messages too.</summary>
    private static void ReadAll(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        while (reader.TryReadTag(out _, out var type))
        {
            switch (type)
            {
                case WireType.LengthDelimited:
                    var value = reader.ReadBytes();
                    try
                    {
                        new ProtoReader(value).ReadString();
                    }
                    catch (FormatException)
                    {
                    }
                    try
                    {
                        ReadAll(value);
                    }
                    catch (FormatException)
                    {
                    }
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }
}
