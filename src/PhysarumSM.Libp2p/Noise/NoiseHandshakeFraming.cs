using System.Buffers.Binary;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// Length-prefixed (u16 big-endian) handshake messages. Why exact-size reads: nothing past message 3 may be
/// consumed here, because the peer's first transport frame can follow it in the same TCP segment.
/// </summary>
internal static class NoiseHandshakeFraming
{
    public static async ValueTask<byte[]> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix, cancellationToken).ConfigureAwait(false);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false);
        return message;
    }

    public static async ValueTask WriteAsync(Stream stream, byte[] message, CancellationToken cancellationToken)
    {
        if (message.Length > HandshakeState.MaxMessageSize)
        {
            throw new InvalidOperationException($"Noise handshake message of {message.Length} bytes exceeds {HandshakeState.MaxMessageSize}.");
        }

        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
