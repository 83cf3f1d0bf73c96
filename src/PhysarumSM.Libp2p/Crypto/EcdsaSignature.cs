using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>ECDSA-over-SHA-256 verification with DER signatures. Why shared: Secp256k1 and ECDSA keys sign identically.</summary>
internal static class EcdsaSignature
{
    public static bool Verify(ECParameters parameters, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.IsEmpty)
        {
            return false;
        }
        try
        {
            using var ecdsa = ECDsa.Create(parameters);
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or PlatformNotSupportedException)
        {
            // Platforms without secp256k1 cannot verify such keys: treat as not verified.
            return false;
        }
    }
}
