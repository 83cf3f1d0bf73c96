using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Protocols.Identify;

/// <summary>
/// /ipfs/id/1.0.0 (the opener reads, the responder writes then FINs) and /ipfs/id/push/1.0.0 (the opener
/// writes). Messages are uvarint-length-prefixed protobufs, at most 10 parts of 8 KiB each, as go and js.
/// </summary>
public static class IdentifyProtocol
{
    public const string Id = "/ipfs/id/1.0.0";
    public const string PushId = "/ipfs/id/push/1.0.0";

    private const int MaxMessageSize = 8 * 1024;
    private const int MaxParts = 10;

    /// <summary>Responder: one message describing us, then half-close.</summary>
    public static async Task RespondAsync(Libp2pStream stream, IdentifyInfo self, CancellationToken cancellationToken)
    {
        var message = IdentifyMessage.Encode(self with { ObservedAddress = stream.Connection.RemoteAddress });
        var framed = new byte[Varint.GetLength((ulong)message.Length) + message.Length];
        var prefix = Varint.Write(framed, (ulong)message.Length);
        message.CopyTo(framed.AsSpan(prefix));
        await stream.Stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reader: collects every message until EOF and checks the key matches the connection's peer.</summary>
    public static async Task<IdentifyInfo> ReadAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        IdentifyInfo? info = null;
        for (var part = 0; part < MaxParts; part++)
        {
            ulong length;
            try
            {
                length = await Varint.ReadAsync(stream.Stream, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException) when (info is not null)
            {
                break;
            }
            catch (FormatException ex)
            {
                throw new Libp2pProtocolException("identify: malformed length prefix", ex);
            }

            if (length > MaxMessageSize)
            {
                throw new Libp2pProtocolException($"identify: message of {length} bytes exceeds {MaxMessageSize}");
            }

            var message = new byte[(int)length];
            await stream.Stream.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false);
            try
            {
                info = IdentifyMessage.Decode(message, info);
            }
            catch (FormatException ex)
            {
                throw new Libp2pProtocolException($"identify: malformed message: {ex.Message}", ex);
            }
        }

        if (info is null)
        {
            throw new Libp2pProtocolException("identify: the peer closed the stream without a message");
        }

        if (info.PublicKey is not null && !stream.Connection.RemotePeer.Matches(info.PublicKey))
        {
            throw new Libp2pProtocolException($"identify: the public key sent does not belong to {stream.Connection.RemotePeer}");
        }

        return info;
    }
}
