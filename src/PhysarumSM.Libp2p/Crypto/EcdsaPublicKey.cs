using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>
/// A NIST-curve ECDSA public key (P-256/P-384/P-521) as DER SubjectPublicKeyInfo; signatures are DER
/// ECDSA over SHA-256. Why: go and js peers may use ECDSA identities.
/// </summary>
public sealed class EcdsaPublicKey : PublicKey
{
    private static readonly string[] SupportedCurveOids = ["1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"];

    private readonly ECParameters _parameters;

    private EcdsaPublicKey(byte[] spki, ECParameters parameters) : base(spki)
    {
        _parameters = parameters;
    }

    /// <inheritdoc />
    public override KeyType Type => KeyType.Ecdsa;

    /// <summary>Parses DER SubjectPublicKeyInfo.</summary>
    /// <exception cref="FormatException">Not an EC SPKI, trailing bytes, or an unsupported curve.</exception>
    public static EcdsaPublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki)
    {
        ECParameters parameters;
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length)
            {
                throw new FormatException($"ECDSA public key has {spki.Length - read} trailing bytes after the SubjectPublicKeyInfo");
            }
            parameters = ecdsa.ExportParameters(false);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException or ArgumentException)
        {
            // Unknown curve OIDs surface as PlatformNotSupportedException on OpenSSL.
            throw new FormatException($"ECDSA public key is not a valid DER SubjectPublicKeyInfo: {e.Message}", e);
        }
        var oid = parameters.Curve.Oid?.Value;
        if (!parameters.Curve.IsNamed || oid is null || Array.IndexOf(SupportedCurveOids, oid) < 0)
        {
            throw new FormatException($"ECDSA public key uses curve {oid ?? parameters.Curve.Oid?.FriendlyName ?? "(explicit)"}; only P-256, P-384 and P-521 are accepted");
        }
        return new EcdsaPublicKey(spki.ToArray(), parameters);
    }

    /// <summary>Wraps a BCL key (exports its SubjectPublicKeyInfo).</summary>
    public static EcdsaPublicKey FromEcdsa(ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        return FromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        EcdsaSignature.Verify(_parameters, data, signature);
}
