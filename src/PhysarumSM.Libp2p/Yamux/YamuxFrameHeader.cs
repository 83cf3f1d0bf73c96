using System.Buffers.Binary;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// The 12-byte big-endian yamux frame header. Why a value type with span codecs: it is parsed and written for
/// every frame on the hot path, so it must not allocate.
/// </summary>
internal readonly record struct YamuxFrameHeader(byte Version, YamuxFrameType Type, YamuxFrameFlags Flags, uint StreamId, uint Length)
{
    public const int Size = 12;

    private const YamuxFrameFlags KnownFlags = YamuxFrameFlags.Syn | YamuxFrameFlags.Ack | YamuxFrameFlags.Fin | YamuxFrameFlags.Rst;

    public static YamuxFrameHeader Read(ReadOnlySpan<byte> source) => new(
        source[0],
        (YamuxFrameType)source[1],
        (YamuxFrameFlags)BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[8..]));

    public static void Write(Span<byte> destination, YamuxFrameType type, YamuxFrameFlags flags, uint streamId, uint length)
    {
        // Bounds check once; the writes below then need none.
        _ = destination[Size - 1];
        destination[0] = 0;
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], streamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], length);
    }

    public void Write(Span<byte> destination)
    {
        Write(destination, Type, Flags, StreamId, Length);
        destination[0] = Version;
    }

    /// <summary>
    /// Rules every frame must meet whatever the session state; returns why this header breaks them, or null.
    /// Why strict: go and js reject the same frames, so a peer sending them is broken or hostile.
    /// </summary>
    public string? FindViolation()
    {
        if (Version != 0)
        {
            return $"unsupported yamux version {Version}";
        }

        if ((Flags & ~KnownFlags) != 0)
        {
            return $"unknown flags 0x{(ushort)Flags:x4} on a {Type} frame";
        }

        switch (Type)
        {
            case YamuxFrameType.Data:
            case YamuxFrameType.WindowUpdate:
                if (StreamId == 0)
                {
                    return $"{Type} frame on stream 0";
                }

                if ((Flags & (YamuxFrameFlags.Syn | YamuxFrameFlags.Ack)) == (YamuxFrameFlags.Syn | YamuxFrameFlags.Ack))
                {
                    return $"SYN and ACK together on stream {StreamId}";
                }

                return null;
            case YamuxFrameType.Ping:
                if (StreamId != 0)
                {
                    return $"Ping frame on stream {StreamId}";
                }

                return Flags is YamuxFrameFlags.Syn or YamuxFrameFlags.Ack ? null : $"Ping flags 0x{(ushort)Flags:x4} are neither SYN nor ACK";
            case YamuxFrameType.GoAway:
                if (StreamId != 0)
                {
                    return $"GoAway frame on stream {StreamId}";
                }

                return Flags == YamuxFrameFlags.None ? null : $"GoAway frame with flags 0x{(ushort)Flags:x4}";
            default:
                return $"unknown frame type {(byte)Type}";
        }
    }
}
