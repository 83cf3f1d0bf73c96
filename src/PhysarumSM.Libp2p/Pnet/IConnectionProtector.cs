namespace PhysarumSM.Libp2p.Pnet;

/// <summary>
/// Wraps a raw connection before any negotiation (libp2p private networks). Why separate from security:
/// the protector runs beneath multistream and has no handshake of its own.
/// </summary>
public interface IConnectionProtector
{
    /// <summary>Returns a stream whose bytes are protected both ways; sends this side's nonce at once.</summary>
    ValueTask<Stream> ProtectAsync(Stream raw, CancellationToken cancellationToken);
}
