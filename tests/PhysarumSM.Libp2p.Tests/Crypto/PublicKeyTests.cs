using System.Security.Cryptography;
using PhysarumSM.Libp2p.Crypto;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Crypto;

public sealed class PublicKeyTests
{
    [Theory]
    [InlineData(Ed25519PublicKeyHex, KeyType.Ed25519, typeof(Ed25519PublicKey))]
    [InlineData(Secp256k1PublicKeyHex, KeyType.Secp256k1, typeof(Secp256k1PublicKey))]
    [InlineData(EcdsaPublicKeyHex, KeyType.Ecdsa, typeof(EcdsaPublicKey))]
    [InlineData(RsaPublicKeyHex, KeyType.Rsa, typeof(RsaPublicKey))]
    public void Spec_public_keys_parse_and_re_encode_identically(string hex, KeyType type, Type clrType)
    {
        var bytes = Bytes(hex);
        var key = PublicKey.FromProtobuf(bytes);
        Assert.IsType(clrType, key);
        Assert.Equal(type, key.Type);
        Assert.Equal(bytes, key.ToProtobuf());
    }

    [Fact]
    public void Rsa_protobuf_keeps_the_zero_type_field()
    {
        var encoded = PublicKey.FromProtobuf(Bytes(RsaPublicKeyHex)).ToProtobuf();
        Assert.Equal(new byte[] { 0x08, 0x00, 0x12 }, encoded[..3]);
        Assert.Equal(4096, ((RsaPublicKey)PublicKey.FromProtobuf(Bytes(RsaPublicKeyHex))).KeySize);
    }

    [Fact]
    public void Field_order_and_unknown_fields_do_not_change_the_canonical_form()
    {
        // Data first, then Type, plus unknown fields of every wire type.
        var reordered = Bytes("12201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e" + "0801" + "1805" + "21" + "0102030405060708" + "2a00" + "2d01020304");
        Assert.Equal(Bytes(Ed25519PublicKeyHex), PublicKey.FromProtobuf(reordered).ToProtobuf());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("0801", "no Data")]
    [InlineData("1200", "no Type")]
    [InlineData("08071200", "unknown key type 7")]
    [InlineData("0801121f" + "00000000000000000000000000000000000000000000000000000000000000", "must be 32 bytes, got 31")]
    [InlineData("0802120100", "33-byte compressed point, got 1 bytes")]
    [InlineData("08001203010203", "not a valid DER SubjectPublicKeyInfo")]
    [InlineData("08031203010203", "not a valid DER SubjectPublicKeyInfo")]
    [InlineData("0a0101", "field 1 has wire type LengthDelimited")]
    [InlineData("ff", "truncated protobuf varint")]
    [InlineData("0b", "unsupported protobuf wire type 3")]
    [InlineData("081212", "truncated")]
    public void Garbage_is_a_clear_FormatException(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PublicKey.FromProtobuf(Bytes(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Small_rsa_keys_are_rejected()
    {
        using var rsa = RSA.Create(1024);
        var e = Assert.Throws<FormatException>(() => RsaPublicKey.FromRsa(rsa));
        Assert.Contains("1024 bits", e.Message);
        Assert.Throws<FormatException>(() => PublicKey.FromProtobuf(Envelope(KeyType.Rsa, rsa.ExportSubjectPublicKeyInfo())));
    }

    [Fact]
    public void Huge_rsa_keys_are_rejected()
    {
        // A public-only key needs no primes, so an 8200-bit modulus is cheap to fabricate.
        var modulus = RandomNumberGenerator.GetBytes(1025);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        using var rsa = RSA.Create(new RSAParameters { Modulus = modulus, Exponent = [1, 0, 1] });
        var e = Assert.Throws<FormatException>(() => PublicKey.FromProtobuf(Envelope(KeyType.Rsa, rsa.ExportSubjectPublicKeyInfo())));
        Assert.Contains("8200 bits", e.Message);
    }

    [Fact]
    public void Rsa_spki_with_trailing_bytes_is_rejected()
    {
        var spki = PublicKey.FromProtobuf(Bytes(RsaPublicKeyHex)).Data.ToArray();
        var e = Assert.Throws<FormatException>(() => RsaPublicKey.FromSubjectPublicKeyInfo([.. spki, 0]));
        Assert.Contains("trailing", e.Message);
    }

    [Theory]
    [InlineData("04" + "7777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99", "prefix 0x04")]
    [InlineData("02" + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", "below the field prime")]
    [InlineData("02" + "0000000000000000000000000000000000000000000000000000000000000005", "not a point on the curve")]
    public void Bad_secp256k1_points_are_rejected(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Secp256k1PublicKey.FromCompressed(Bytes(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Ecdsa_accepts_nist_curves_only()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal(KeyType.Ecdsa, EcdsaPublicKey.FromEcdsa(p384).Type);
        using var k1 = ECDsa.Create(Secp256k1PublicKey.Curve);
        var e = Assert.Throws<FormatException>(() => EcdsaPublicKey.FromEcdsa(k1));
        Assert.Contains("only P-256, P-384 and P-521", e.Message);
    }

    [Fact]
    public void Value_equality()
    {
        var a = PublicKey.FromProtobuf(Bytes(Ed25519PublicKeyHex));
        var b = PublicKey.FromProtobuf(Bytes(Ed25519PublicKeyHex));
        var c = PublicKey.FromProtobuf(Bytes(Secp256k1PublicKeyHex));
        Assert.True(a == b);
        Assert.True(a != c);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(null));
    }

    internal static byte[] Envelope(KeyType type, byte[] data)
    {
        var writer = new PhysarumSM.Libp2p.Protobuf.ProtoWriter();
        writer.WriteVarint(1, (ulong)type);
        writer.WriteBytes(2, data);
        return writer.ToArray();
    }
}
