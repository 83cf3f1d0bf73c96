using System.Numerics;
using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>
/// A secp256k1 public key as a 33-byte compressed SEC point; signatures are DER ECDSA over SHA-256.
/// Why: go and js support it (IDs start <c>16Uiu2</c>).
/// </summary>
public sealed class Secp256k1PublicKey : PublicKey
{
    /// <summary>Compressed point length.</summary>
    public const int Length = 33;

    // Field prime p = 2^256 - 2^32 - 977; p ≡ 3 (mod 4), so sqrt(a) = a^((p+1)/4).
    private static readonly BigInteger P = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger SqrtExponent = (P + 1) / 4;

    private readonly ECParameters _parameters;

    private Secp256k1PublicKey(byte[] compressed, ECParameters parameters) : base(compressed)
    {
        _parameters = parameters;
    }

    /// <inheritdoc />
    public override KeyType Type => KeyType.Secp256k1;

    /// <summary>Curve parameters for the BCL (OpenSSL names it secP256k1).</summary>
    public static ECCurve Curve => ECCurve.CreateFromFriendlyName("secP256k1");

    /// <summary>Parses and decompresses a 33-byte point.</summary>
    /// <exception cref="FormatException">Wrong length or prefix, or not on the curve.</exception>
    public static Secp256k1PublicKey FromCompressed(ReadOnlySpan<byte> compressed)
    {
        if (compressed.Length != Length)
        {
            throw new FormatException($"Secp256k1 public key must be a {Length}-byte compressed point, got {compressed.Length} bytes");
        }
        if (compressed[0] is not (0x02 or 0x03))
        {
            throw new FormatException($"Secp256k1 public key prefix 0x{compressed[0]:x2} is not a compressed point (0x02/0x03)");
        }
        var x = new BigInteger(compressed[1..], isUnsigned: true, isBigEndian: true);
        if (x >= P)
        {
            throw new FormatException("Secp256k1 public key x coordinate is not below the field prime");
        }
        var ySquared = (BigInteger.ModPow(x, 3, P) + 7) % P;
        var y = BigInteger.ModPow(ySquared, SqrtExponent, P);
        if (BigInteger.ModPow(y, 2, P) != ySquared)
        {
            throw new FormatException("Secp256k1 public key is not a point on the curve");
        }
        // Prefix 0x02 selects the even y, 0x03 the odd one.
        if (y.IsEven != (compressed[0] == 0x02))
        {
            y = P - y;
        }
        var parameters = new ECParameters
        {
            Curve = Curve,
            Q = new ECPoint { X = compressed[1..].ToArray(), Y = ToFixed32(y) },
        };
        return new Secp256k1PublicKey(compressed.ToArray(), parameters);
    }

    /// <summary>Compresses a BCL secp256k1 key.</summary>
    public static Secp256k1PublicKey FromEcdsa(ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        var q = ecdsa.ExportParameters(false).Q;
        var compressed = new byte[Length];
        compressed[0] = (byte)((q.Y![^1] & 1) == 0 ? 0x02 : 0x03);
        q.X!.CopyTo(compressed, 1);
        return FromCompressed(compressed);
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        EcdsaSignature.Verify(_parameters, data, signature);

    private static byte[] ToFixed32(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes.AsSpan(32 - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }
}
