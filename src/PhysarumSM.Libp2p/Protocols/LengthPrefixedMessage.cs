using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Protocols;

/// <summary>
/// uvarint(length) ‖ bytes: the framing of identify and of every request/response protocol of ours.
/// Why one place: each protocol only chooses its size limit; the length is checked before allocating.
/// </summary>
public static class LengthPrefixedMessage
{
    /// <summary>Writes one framed message (prefix and body in one write) and flushes.</summary>
    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var framed = new byte[Varint.GetLength((ulong)message.Length) + message.Length];
        var prefix = Varint.Write(framed, (ulong)message.Length);
        message.Span.CopyTo(framed.AsSpan(prefix));
        await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one message of at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="Libp2pProtocolException">Bad prefix, oversized message, or the stream ended early.</exception>
    public static async Task<byte[]> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ulong length;
        try
        {
            length = await Varint.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException)
        {
            throw new Libp2pProtocolException($"bad length prefix: {ex.Message}", ex);
        }

        if (length > (ulong)maxBytes)
        {
            throw new Libp2pProtocolException($"message of {length} bytes exceeds the limit of {maxBytes}");
        }

        var message = new byte[(int)length];
        try
        {
            await stream.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new Libp2pProtocolException($"stream ended inside a {length}-byte message", ex);
        }

        return message;
    }
}
