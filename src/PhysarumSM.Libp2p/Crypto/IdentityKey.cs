using NSec.Cryptography;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>
/// This node's Ed25519 private key. Why only Ed25519: it is what current go/js libp2p generate and
/// what Noise signs with; we verify other types but never need to sign with them.
/// </summary>
public sealed class IdentityKey : IDisposable
{
    /// <summary>Seed (private scalar source) length.</summary>
    public const int SeedLength = 32;

    // The seed must be exportable so ToProtobuf can persist it.
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private readonly Key _key;

    private IdentityKey(Key key)
    {
        _key = key;
        PublicKey = Ed25519PublicKey.FromRaw(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        PeerId = PeerId.FromPublicKey(PublicKey);
    }

    /// <summary>The public half.</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>Our peer ID (identity multihash, <c>12D3KooW…</c>).</summary>
    public PeerId PeerId { get; }

    /// <summary>Creates a new random key.</summary>
    public static IdentityKey Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable));

    /// <summary>Derives the key from a 32-byte RFC 8032 seed.</summary>
    public static IdentityKey FromSeed(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedLength)
        {
            throw new ArgumentException($"Ed25519 seed must be {SeedLength} bytes, got {seed32.Length}", nameof(seed32));
        }
        return new IdentityKey(Key.Import(SignatureAlgorithm.Ed25519, seed32, KeyBlobFormat.RawPrivateKey, Exportable));
    }

    /// <summary>
    /// Loads a libp2p PrivateKey protobuf: Ed25519 Data of 64 bytes (seed ‖ public) or the legacy 96
    /// (seed ‖ public ‖ public). The embedded public key must match the seed.
    /// </summary>
    /// <exception cref="FormatException">Malformed, inconsistent, or not an Ed25519 key.</exception>
    public static IdentityKey FromProtobuf(ReadOnlySpan<byte> privateKeyProtobuf)
    {
        var (type, data) = KeyProtobuf.Decode(privateKeyProtobuf, "private key");
        if (type != KeyType.Ed25519)
        {
            throw new FormatException($"only Ed25519 identity keys are supported, got {KeyProtobuf.Name(type)}");
        }
        if (data.Length is not (64 or 96))
        {
            throw new FormatException($"Ed25519 private key data must be 64 bytes (seed and public key), got {data.Length}");
        }
        var embedded = data.AsSpan(SeedLength, 32);
        if (data.Length == 96 && !embedded.SequenceEqual(data.AsSpan(64, 32)))
        {
            throw new FormatException("legacy 96-byte Ed25519 private key has two different public keys");
        }
        var key = FromSeed(data.AsSpan(0, SeedLength));
        if (!embedded.SequenceEqual(key.PublicKey.Data.Span))
        {
            key.Dispose();
            throw new FormatException("Ed25519 private key: the stored public key does not belong to the seed");
        }
        return key;
    }

    /// <summary>PrivateKey protobuf with 64-byte Data (seed ‖ public), as go-libp2p writes it.</summary>
    public byte[] ToProtobuf()
    {
        Span<byte> data = stackalloc byte[64];
        try
        {
            if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, data[..SeedLength], out var written) || written != SeedLength)
            {
                throw new InvalidOperationException("the Ed25519 seed could not be exported");
            }
            PublicKey.Data.Span.CopyTo(data[SeedLength..]);
            var writer = new ProtoWriter();
            writer.WriteVarint(1, (ulong)KeyType.Ed25519);
            writer.WriteBytes(2, data);
            return writer.ToArray();
        }
        finally
        {
            data.Clear();
        }
    }

    /// <summary>Signs <paramref name="data"/> (64-byte Ed25519 signature).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <summary>Signs into <paramref name="signature64"/> and returns 64.</summary>
    public int Sign(ReadOnlySpan<byte> data, Span<byte> signature64)
    {
        if (signature64.Length < Ed25519PublicKey.SignatureLength)
        {
            throw new ArgumentException($"signature buffer must hold {Ed25519PublicKey.SignatureLength} bytes", nameof(signature64));
        }
        SignatureAlgorithm.Ed25519.Sign(_key, data, signature64[..Ed25519PublicKey.SignatureLength]);
        return Ed25519PublicKey.SignatureLength;
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
