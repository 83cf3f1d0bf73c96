namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// Multiformats unsigned varint (LEB128, minimal, at most 9 bytes). Why its own type: every libp2p
/// framing and code (multiaddr, multihash, CID, length prefixes) uses this exact strict form.
/// </summary>
public static class Varint
{
    /// <summary>Longest accepted encoding; 9 × 7 bits caps values at 2^63 − 1.</summary>
    public const int MaxLength = 9;

    /// <summary>Largest encodable value (63 bits).</summary>
    public const ulong MaxValue = long.MaxValue;

    /// <summary>Number of bytes <paramref name="value"/> encodes to.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value needs more than 63 bits.</exception>
    public static int GetLength(ulong value)
    {
        ThrowIfTooLarge(value);
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }

    /// <summary>Writes <paramref name="value"/> and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value needs more than 63 bits.</exception>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public static int Write(Span<byte> destination, ulong value)
    {
        var length = GetLength(value);
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, varint needs {length}", nameof(destination));
        }
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    public static byte[] Encode(ulong value)
    {
        var bytes = new byte[GetLength(value)];
        Write(bytes, value);
        return bytes;
    }

    /// <summary>
    /// Reads one varint from the start of <paramref name="source"/>. Returns false when the input ends
    /// inside the varint (more bytes are needed).
    /// </summary>
    /// <exception cref="FormatException">Non-minimal encoding or longer than <see cref="MaxLength"/> bytes.</exception>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        ulong result = 0;
        for (var i = 0; i < source.Length; i++)
        {
            if (i == MaxLength)
            {
                throw new FormatException($"varint longer than {MaxLength} bytes");
            }
            var b = source[i];
            result |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // A zero final group after the first byte means the same value fits in fewer bytes.
                if (b == 0 && i > 0)
                {
                    throw new FormatException($"varint is not minimally encoded (zero final byte at byte {i})");
                }
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }
        if (source.Length >= MaxLength)
        {
            throw new FormatException($"varint longer than {MaxLength} bytes");
        }
        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>
    /// Reads a complete varint at <paramref name="offset"/>, treating the end of <paramref name="source"/>
    /// as truncation. Why: parsers of whole buffers (multiaddr, multihash, CID) need one error path.
    /// </summary>
    /// <exception cref="FormatException">Truncated, non-minimal or oversized varint (message names the byte offset).</exception>
    public static ulong ReadComplete(ReadOnlySpan<byte> source, ref int offset)
    {
        bool complete;
        ulong value;
        int read;
        try
        {
            complete = TryRead(source[offset..], out value, out read);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{e.Message} at byte {offset}", e);
        }
        if (!complete)
        {
            throw new FormatException($"truncated varint at byte {offset}");
        }
        offset += read;
        return value;
    }

    /// <summary>Reads one varint from a stream, byte by byte (never over-reads).</summary>
    /// <exception cref="EndOfStreamException">The stream ended before the varint was complete.</exception>
    /// <exception cref="FormatException">Non-minimal or oversized encoding.</exception>
    public static async ValueTask<ulong> ReadAsync(Stream stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[1];
        ulong result = 0;
        for (var i = 0; i < MaxLength; i++)
        {
            if (await stream.ReadAsync(buffer.AsMemory(0, 1), ct).ConfigureAwait(false) == 0)
            {
                throw new EndOfStreamException(i == 0 ? "stream ended before a varint" : $"stream ended inside a varint after {i} bytes");
            }
            var b = buffer[0];
            result |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new FormatException($"varint is not minimally encoded (zero final byte at byte {i})");
                }
                return result;
            }
        }
        throw new FormatException($"varint longer than {MaxLength} bytes");
    }

    private static void ThrowIfTooLarge(ulong value)
    {
        if (value > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "multiformats varints carry at most 63 bits");
        }
    }
}
