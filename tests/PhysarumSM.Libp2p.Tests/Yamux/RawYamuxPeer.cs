using System.Buffers.Binary;
using System.Net.Sockets;

namespace PhysarumSM.Libp2p.Tests.Yamux;

/// <summary>
/// The far end of a session driven byte by byte. Why: it lets a test write exactly the frames a go or js peer
/// (or a broken one) would send and check the exact bytes our session answers.
/// </summary>
internal sealed class RawYamuxPeer(NetworkStream stream)
{
    public NetworkStream Stream { get; } = stream;

    /// <summary>When set, pings the session sends are answered and skipped by <see cref="ReadFrameAsync"/>.</summary>
    public bool AnswerPings { get; set; } = true;

    public Task SendHexAsync(string hex, CancellationToken cancellationToken) =>
        Stream.WriteAsync(Convert.FromHexString(hex), cancellationToken).AsTask();

    public Task SendFrameAsync(byte type, ushort flags, uint streamId, uint length, CancellationToken cancellationToken) =>
        Stream.WriteAsync(RawFrame.Encode(type, flags, streamId, length), cancellationToken).AsTask();

    public async Task SendDataAsync(uint streamId, byte[] payload, CancellationToken cancellationToken, ushort flags = 0)
    {
        await Stream.WriteAsync(RawFrame.Encode(0, flags, streamId, (uint)payload.Length), cancellationToken);
        await Stream.WriteAsync(payload, cancellationToken);
    }

    public async Task<RawFrame> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var header = new byte[12];
            await Stream.ReadExactlyAsync(header, cancellationToken);
            var frame = new RawFrame(header, []);
            if (frame.Type == 0 && frame.Length > 0)
            {
                var payload = new byte[frame.Length];
                await Stream.ReadExactlyAsync(payload, cancellationToken);
                frame = frame with { Payload = payload };
            }

            if (AnswerPings && frame.Type == 2 && frame.Flags == 1)
            {
                await SendFrameAsync(2, 2, 0, frame.Length, cancellationToken);
                continue;
            }

            return frame;
        }
    }

    /// <summary>Sends a ping and returns the frames that arrive before its ACK. Why: everything the session queued
    /// before it processed our ping is then known to have arrived, with no timing involved.</summary>
    public async Task<List<RawFrame>> SyncAsync(uint value, CancellationToken cancellationToken)
    {
        await SendFrameAsync(2, 1, 0, value, cancellationToken);
        var before = new List<RawFrame>();
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken);
            if (frame.Type == 2 && frame.Flags == 2 && frame.Length == value)
            {
                return before;
            }

            before.Add(frame);
        }
    }

    /// <summary>True when the session closed the connection (after reading and dropping any remaining bytes).</summary>
    public async Task<bool> ReadsToEndAsync(CancellationToken cancellationToken)
    {
        var sink = new byte[4096];
        try
        {
            while (await Stream.ReadAsync(sink, cancellationToken) > 0)
            {
            }

            return true;
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            // A reset after the session closed counts as closed too.
            return true;
        }
    }
}

/// <summary>One frame as read off the wire.</summary>
internal sealed record RawFrame(byte[] Header, byte[] Payload)
{
    public byte Version => Header[0];

    public byte Type => Header[1];

    public ushort Flags => BinaryPrimitives.ReadUInt16BigEndian(Header.AsSpan(2));

    public uint StreamId => BinaryPrimitives.ReadUInt32BigEndian(Header.AsSpan(4));

    public uint Length => BinaryPrimitives.ReadUInt32BigEndian(Header.AsSpan(8));

    public string Hex => Convert.ToHexString(Header).ToLowerInvariant() + Convert.ToHexString(Payload).ToLowerInvariant();

    public static byte[] Encode(byte type, ushort flags, uint streamId, uint length)
    {
        var header = new byte[12];
        header[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), streamId);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), length);
        return header;
    }

    public override string ToString() => $"type={Type} flags=0x{Flags:x} id={StreamId} len={Length}";
}
