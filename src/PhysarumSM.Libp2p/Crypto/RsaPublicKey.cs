using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>
/// An RSA public key as DER SubjectPublicKeyInfo; signatures are PKCS#1 v1.5 over SHA-256. Why: legacy
/// go-libp2p nodes (including old PhysarumSM) use RSA identities.
/// </summary>
public sealed class RsaPublicKey : PublicKey
{
    /// <summary>Smallest modulus accepted (as go-libp2p).</summary>
    public const int MinBits = 2048;

    /// <summary>Largest modulus accepted (as go-libp2p).</summary>
    public const int MaxBits = 8192;

    private readonly RSAParameters _parameters;

    private RsaPublicKey(byte[] spki, RSAParameters parameters) : base(spki)
    {
        _parameters = parameters;
    }

    /// <inheritdoc />
    public override KeyType Type => KeyType.Rsa;

    /// <summary>Modulus size in bits.</summary>
    public int KeySize => _parameters.Modulus!.Length * 8;

    /// <summary>Parses DER SubjectPublicKeyInfo.</summary>
    /// <exception cref="FormatException">Not an RSA SPKI, trailing bytes, or size outside 2048–8192 bits.</exception>
    public static RsaPublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki)
    {
        RSAParameters parameters;
        int keySize;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length)
            {
                throw new FormatException($"RSA public key has {spki.Length - read} trailing bytes after the SubjectPublicKeyInfo");
            }
            parameters = rsa.ExportParameters(false);
            keySize = rsa.KeySize;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new FormatException($"RSA public key is not a valid DER SubjectPublicKeyInfo: {e.Message}", e);
        }
        if (keySize < MinBits || keySize > MaxBits)
        {
            throw new FormatException($"RSA public key has {keySize} bits; libp2p accepts {MinBits}-{MaxBits}");
        }
        return new RsaPublicKey(spki.ToArray(), parameters);
    }

    /// <summary>Wraps a BCL key (exports its SubjectPublicKeyInfo).</summary>
    public static RsaPublicKey FromRsa(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        return FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo());
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            // A fresh instance per call: BCL key objects are not documented as thread-safe.
            using var rsa = RSA.Create(_parameters);
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
