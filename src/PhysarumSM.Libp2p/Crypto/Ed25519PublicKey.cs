using NSec.Cryptography;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>A 32-byte Ed25519 public key (RFC 8032). Why: the mandatory libp2p key type and our own identity type.</summary>
public sealed class Ed25519PublicKey : PublicKey
{
    /// <summary>Raw key length.</summary>
    public const int Length = 32;

    /// <summary>Signature length.</summary>
    public const int SignatureLength = 64;

    // Null when libsodium refuses the point: go accepts any 32 bytes here, so such a key only fails verification.
    private readonly NSec.Cryptography.PublicKey? _key;

    private Ed25519PublicKey(byte[] raw) : base(raw)
    {
        NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out _key);
    }

    /// <inheritdoc />
    public override KeyType Type => KeyType.Ed25519;

    /// <summary>Wraps a raw 32-byte key.</summary>
    /// <exception cref="FormatException">Not 32 bytes.</exception>
    public static Ed25519PublicKey FromRaw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Length)
        {
            throw new FormatException($"Ed25519 public key must be {Length} bytes, got {raw.Length}");
        }
        return new Ed25519PublicKey(raw.ToArray());
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }
        return _key is not null && SignatureAlgorithm.Ed25519.Verify(_key, data, signature);
    }
}
