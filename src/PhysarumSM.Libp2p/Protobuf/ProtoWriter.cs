using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace PhysarumSM.Libp2p.Protobuf;

/// <summary>
/// Appending protobuf encoder. Why: libp2p needs exact control of field order (canonical key
/// encoding) and tiny messages, which a hand-rolled writer gives without a generator.
/// Fields are written in call order; zero values are written when asked (no proto3 elision).
/// </summary>
public sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    /// <summary>Writes into a new internal buffer.</summary>
    public ProtoWriter() : this(new ArrayBufferWriter<byte>(64)) { }

    /// <summary>Appends to <paramref name="buffer"/>.</summary>
    public ProtoWriter(ArrayBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _buffer = buffer;
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Copy of the bytes written so far.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Discards everything written, for reuse.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    /// <summary>Writes a varint field (enums, bools, unsigned ints).</summary>
    public void WriteVarint(int field, ulong value)
    {
        WriteTag(field, WireType.Varint);
        WriteRawVarint(value);
    }

    /// <summary>Writes a bool field as varint 0/1.</summary>
    public void WriteBool(int field, bool value) => WriteVarint(field, value ? 1UL : 0UL);

    /// <summary>Writes a length-delimited bytes field (also used for nested messages).</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireType.LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes a UTF-8 string field.</summary>
    public void WriteString(int field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteTag(field, WireType.LengthDelimited);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteRawVarint((ulong)length);
        var written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(written);
    }

    /// <summary>Writes a little-endian fixed 32-bit field.</summary>
    public void WriteFixed32(int field, uint value)
    {
        WriteTag(field, WireType.Fixed32);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a little-endian fixed 64-bit field.</summary>
    public void WriteFixed64(int field, ulong value)
    {
        WriteTag(field, WireType.Fixed64);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a field key.</summary>
    public void WriteTag(int field, WireType wireType)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(field, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(field, 0x1fff_ffff);
        WriteRawVarint(((ulong)field << 3) | (ulong)wireType);
    }

    /// <summary>Writes a bare varint (e.g. a length prefix for framing).</summary>
    public void WriteRawVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
