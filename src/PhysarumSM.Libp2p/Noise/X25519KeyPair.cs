using NSec.Cryptography;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// An X25519 key pair for the Noise DH operations. Why a wrapper over NSec: the handshake needs the raw
/// 32-byte shared secret (Noise feeds it to HKDF itself), and a low-order remote key must fail the handshake.
/// </summary>
internal sealed class X25519KeyPair : IDisposable
{
    public const int Size = 32;

    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    private readonly Key _key;

    private X25519KeyPair(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    public static X25519KeyPair Generate() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }));

    /// <summary>Test hook (fixed keys for vectors).</summary>
    public static X25519KeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        new(Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }));

    /// <summary>DH(this, remote) as raw bytes; null when the remote key is invalid or of low order.</summary>
    public byte[]? Agree(ReadOnlySpan<byte> remotePublicKey)
    {
        if (remotePublicKey.Length != Size ||
            !NSec.Cryptography.PublicKey.TryImport(Algorithm, remotePublicKey, KeyBlobFormat.RawPublicKey, out var remote) ||
            remote is null)
        {
            return null;
        }

        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = Algorithm.Agree(_key, remote, in parameters);
        return secret?.Export(SharedSecretBlobFormat.RawSharedSecret);
    }

    public void Dispose() => _key.Dispose();
}
