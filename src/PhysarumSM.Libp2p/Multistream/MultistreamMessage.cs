using System.Buffers;
using System.Text;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Multistream;

/// <summary>
/// The multistream-select 1.0 message framing: uvarint(len) ‖ UTF-8 text ‖ '\n'. Why a separate type:
/// the dialer and listener both need exact-length reads so no byte of the next protocol is consumed.
/// </summary>
internal static class MultistreamMessage
{
    /// <summary>go and js refuse longer messages; so do we.</summary>
    public const int MaxLength = 1024;

    /// <summary>Appends one framed message to <paramref name="buffer"/>.</summary>
    public static void Write(ArrayBufferWriter<byte> buffer, string text)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text) + 1;
        if (byteCount > MaxLength)
        {
            throw new ArgumentException($"multistream message '{text}' is longer than {MaxLength} bytes", nameof(text));
        }

        var span = buffer.GetSpan(Varint.MaxLength + byteCount);
        var written = Varint.Write(span, (ulong)byteCount);
        written += Encoding.UTF8.GetBytes(text, span[written..]);
        span[written++] = (byte)'\n';
        buffer.Advance(written);
    }

    /// <summary>Reads one message and returns its text without the trailing newline.</summary>
    public static async ValueTask<string> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ulong length;
        try
        {
            length = await Varint.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new Libp2pProtocolException("multistream: the peer sent a malformed length prefix", ex);
        }

        if (length == 0 || length > MaxLength)
        {
            throw new Libp2pProtocolException($"multistream: message length {length} is outside 1..{MaxLength}");
        }

        var rented = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            await stream.ReadExactlyAsync(rented.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);
            if (rented[(int)length - 1] != (byte)'\n')
            {
                throw new Libp2pProtocolException("multistream: message does not end with a newline");
            }

            try
            {
                return StrictUtf8.GetString(rented, 0, (int)length - 1);
            }
            catch (DecoderFallbackException ex)
            {
                throw new Libp2pProtocolException("multistream: message is not valid UTF-8", ex);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
