using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Pnet;

/// <summary>
/// Private-network protector (libp2p PSK v1): XSalsa20 over the raw connection, one random nonce per
/// direction. Why it sends its nonce at once: js-libp2p waits (1 s by default) for the peer's nonce
/// before writing anything, so a lazy nonce would deadlock against it.
/// </summary>
public sealed class PnetProtector : IConnectionProtector
{
    private readonly PreSharedKey _key;
    private readonly Func<byte[]> _nonceSource;

    public PnetProtector(PreSharedKey key)
        : this(key, static () => RandomNumberGenerator.GetBytes(XSalsa20.NonceSize))
    {
    }

    /// <summary>Test hook: fixes the local nonce so wire bytes can be compared with a vector.</summary>
    internal PnetProtector(PreSharedKey key, Func<byte[]> nonceSource)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        _nonceSource = nonceSource;
    }

    /// <inheritdoc />
    public async ValueTask<Stream> ProtectAsync(Stream raw, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var nonce = _nonceSource();
        if (nonce.Length != XSalsa20.NonceSize)
        {
            throw new InvalidOperationException($"The pnet nonce must be {XSalsa20.NonceSize} bytes.");
        }

        var protectedStream = new PnetStream(raw, _key, nonce);
        await raw.WriteAsync(nonce, cancellationToken).ConfigureAwait(false);
        await raw.FlushAsync(cancellationToken).ConfigureAwait(false);
        return protectedStream;
    }

    public override string ToString() => $"PnetProtector({_key.Fingerprint})";
}
