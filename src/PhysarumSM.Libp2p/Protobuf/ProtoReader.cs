using System.Buffers.Binary;
using System.Text;

namespace PhysarumSM.Libp2p.Protobuf;

/// <summary>
/// Forward-only protobuf decoder over a span. Why hand-written: libp2p messages are tiny and few, so a
/// zero-allocation reader beats a code generator dependency. Every malformed input is a <see cref="FormatException"/>.
/// </summary>
public ref struct ProtoReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>True when all input has been consumed.</summary>
    public readonly bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>Reads the next field tag; false at the end of the input.</summary>
    /// <exception cref="FormatException">Truncated tag, field number 0 or out of range, or unsupported wire type.</exception>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        if (IsAtEnd)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }
        var at = _position;
        var tag = ReadRawVarint();
        var field = tag >> 3;
        if (field == 0 || field > 0x1fff_ffff)
        {
            throw new FormatException($"invalid protobuf field number {field} at byte {at}");
        }
        var type = (int)(tag & 7);
        if (type is not (0 or 1 or 2 or 5))
        {
            throw new FormatException($"unsupported protobuf wire type {type} at byte {at}");
        }
        fieldNumber = (int)field;
        wireType = (WireType)type;
        return true;
    }

    /// <summary>Reads a varint value (up to 10 bytes, as protobuf allows for negative int64).</summary>
    public ulong ReadVarint() => ReadRawVarint();

    /// <summary>Reads a varint and checks it is 0 or 1.</summary>
    public bool ReadBool()
    {
        var at = _position;
        return ReadRawVarint() switch
        {
            0 => false,
            1 => true,
            var v => throw new FormatException($"protobuf bool value {v} at byte {at} is not 0 or 1"),
        };
    }

    /// <summary>Reads a little-endian fixed 32-bit value.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian fixed 64-bit value.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads a length-delimited value (bytes, string or nested message) without copying.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var at = _position;
        var length = ReadRawVarint();
        var remaining = _buffer.Length - _position;
        if (length > (ulong)remaining)
        {
            throw new FormatException($"protobuf length-delimited field at byte {at} declares {length} bytes, {remaining} left");
        }
        return Take((int)length);
    }

    /// <summary>Reads a length-delimited UTF-8 string.</summary>
    public string ReadString()
    {
        var at = _position;
        var bytes = ReadBytes();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"protobuf string at byte {at} is not valid UTF-8", e);
        }
    }

    /// <summary>Skips a field value of the given wire type (for unknown fields).</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadRawVarint();
                break;
            case WireType.Fixed64:
                Take(8);
                break;
            case WireType.LengthDelimited:
                ReadBytes();
                break;
            case WireType.Fixed32:
                Take(4);
                break;
            default:
                throw new FormatException($"cannot skip protobuf wire type {(int)wireType}");
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> is <paramref name="expected"/>. Why: a field with the wrong wire type means a foreign message.</summary>
    public readonly void Expect(int fieldNumber, WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new FormatException($"protobuf field {fieldNumber} has wire type {actual}, expected {expected} (before byte {_position})");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _buffer.Length - _position)
        {
            throw new FormatException($"protobuf input truncated at byte {_position}: need {count} bytes, {_buffer.Length - _position} left");
        }
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    private ulong ReadRawVarint()
    {
        var start = _position;
        ulong result = 0;
        for (var i = 0; i < 10; i++)
        {
            if (_position >= _buffer.Length)
            {
                throw new FormatException($"truncated protobuf varint at byte {start}");
            }
            var b = _buffer[_position++];
            // The 10th byte may only contribute the single top bit of a 64-bit value.
            if (i == 9 && b > 1)
            {
                throw new FormatException($"protobuf varint at byte {start} overflows 64 bits");
            }
            result |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new FormatException($"protobuf varint at byte {start} is longer than 10 bytes");
    }
}
