using System.Buffers;

namespace PhysarumSM.Libp2p.Multistream;

/// <summary>
/// multistream-select 1.0: agree on a protocol over a fresh byte stream (a raw connection, a secured
/// connection, or a muxed stream). Why static: the negotiation keeps no state beyond one call.
/// </summary>
public static class MultistreamSelect
{
    /// <summary>The protocol header both sides send first.</summary>
    public const string HeaderProtocol = "/multistream/1.0.0";

    private const string NotAvailable = "na";
    private const string List = "ls";

    /// <summary>How many proposals a listener answers before it gives up on a dialer.</summary>
    private const int MaxListenerRounds = 32;

    /// <summary>
    /// Dialer side: proposes <paramref name="protocols"/> in order and returns the one the listener accepted.
    /// The header and the first proposal go out in one write, as go and js do.
    /// </summary>
    public static async Task<string> SelectAsync(Stream stream, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        if (protocols.Count == 0)
        {
            throw new ArgumentException("at least one protocol must be proposed", nameof(protocols));
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        MultistreamMessage.Write(buffer, HeaderProtocol);
        MultistreamMessage.Write(buffer, protocols[0]);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var header = await MultistreamMessage.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (header != HeaderProtocol)
        {
            throw new Libp2pProtocolException($"multistream: expected header '{HeaderProtocol}', the peer sent '{Printable(header)}'");
        }

        for (var i = 0; ; i++)
        {
            var answer = await MultistreamMessage.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            if (answer == protocols[i])
            {
                return answer;
            }

            if (answer != NotAvailable)
            {
                throw new Libp2pProtocolException($"multistream: proposed '{protocols[i]}', the peer answered '{Printable(answer)}'");
            }

            if (i + 1 == protocols.Count)
            {
                throw new ProtocolNotSupportedException(protocols);
            }

            buffer.ResetWrittenCount();
            MultistreamMessage.Write(buffer, protocols[i + 1]);
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Listener side: sends the header at once (like go), then answers proposals until one is supported.
    /// Returns the accepted protocol; the next byte on <paramref name="stream"/> belongs to it.
    /// </summary>
    public static async Task<string> HandleAsync(Stream stream, Func<string, bool> isSupported, Func<IEnumerable<string>>? listProtocols, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        MultistreamMessage.Write(buffer, HeaderProtocol);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var header = await MultistreamMessage.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (header != HeaderProtocol)
        {
            throw new Libp2pProtocolException($"multistream: expected header '{HeaderProtocol}', the peer sent '{Printable(header)}'");
        }

        for (var round = 0; round < MaxListenerRounds; round++)
        {
            var proposal = await MultistreamMessage.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
            if (proposal == List && listProtocols is not null)
            {
                WriteList(buffer, listProtocols());
            }
            else if (proposal != HeaderProtocol && proposal != NotAvailable && isSupported(proposal))
            {
                MultistreamMessage.Write(buffer, proposal);
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                return proposal;
            }
            else
            {
                MultistreamMessage.Write(buffer, NotAvailable);
            }

            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        throw new Libp2pProtocolException($"multistream: the peer made more than {MaxListenerRounds} proposals without agreement");
    }

    /// <summary>`ls` answer as js sends it: one length-prefixed blob of framed protocol ids plus a final newline.</summary>
    private static void WriteList(ArrayBufferWriter<byte> buffer, IEnumerable<string> protocols)
    {
        var inner = new ArrayBufferWriter<byte>(256);
        foreach (var protocol in protocols)
        {
            MultistreamMessage.Write(inner, protocol);
        }

        var length = inner.WrittenCount + 1;
        var span = buffer.GetSpan(Multiformats.Varint.MaxLength + length);
        var written = Multiformats.Varint.Write(span, (ulong)length);
        inner.WrittenSpan.CopyTo(span[written..]);
        written += inner.WrittenCount;
        span[written++] = (byte)'\n';
        buffer.Advance(written);
    }

    /// <summary>Keeps garbage (e.g. from a PSK mismatch) from flooding a log line.</summary>
    private static string Printable(string text)
    {
        var clipped = text.Length > 64 ? text[..64] + "…" : text;
        return string.Create(clipped.Length, clipped, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}

/// <summary>The listener refused every proposed protocol. Why its own type: callers try other peers or report "unsupported".</summary>
public sealed class ProtocolNotSupportedException(IReadOnlyList<string> protocols)
    : Libp2pProtocolException($"the peer supports none of: {string.Join(", ", protocols)}")
{
    public IReadOnlyList<string> Protocols { get; } = protocols;
}
