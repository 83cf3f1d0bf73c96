using System.Security.Cryptography;
using PhysarumSM.Libp2p.Crypto;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Crypto;

public sealed class SignatureTests
{
    private static readonly byte[] Message = "noise-libp2p-static-key:0123456789abcdef"u8.ToArray();

    [Fact]
    public void Ed25519_rfc8032_test_1()
    {
        using var key = IdentityKey.FromSeed(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(key.PublicKey.Data.Span));
        var signature = key.Sign([]);
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(signature));
        Assert.True(key.PublicKey.Verify([], signature));
    }

    [Fact]
    public void Ed25519_round_trip_and_tampering()
    {
        using var key = IdentityKey.Generate();
        var signature = key.Sign(Message);
        Span<byte> second = stackalloc byte[64];
        Assert.Equal(64, key.Sign(Message, second));
        Assert.Equal(signature, second.ToArray());

        var remote = PublicKey.FromProtobuf(key.PublicKey.ToProtobuf());
        Assert.True(remote.Verify(Message, signature));
        AssertTamperingFails(remote, signature);
    }

    [Fact]
    public void Ed25519_sign_into_a_short_buffer_fails_cleanly()
    {
        using var key = IdentityKey.Generate();
        Assert.Throws<ArgumentException>(() => key.Sign(Message, new byte[63]));
    }

    [Fact]
    public void Rsa_pkcs1_sha256_from_the_bcl_verifies()
    {
        using var rsa = RSA.Create(2048);
        var key = PublicKey.FromProtobuf(PublicKeyTests.Envelope(KeyType.Rsa, rsa.ExportSubjectPublicKeyInfo()));
        var signature = rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(key.Verify(Message, signature));
        AssertTamperingFails(key, signature);
        Assert.False(key.Verify(Message, rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)));
        Assert.False(key.Verify(Message, rsa.SignData(Message, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1)));
    }

    [Fact]
    public void Rsa_spec_private_key_matches_spec_public_key_and_signs()
    {
        var privateData = PrivateData(RsaPrivateKeyHex);
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(privateData, out _);
        var spec = PublicKey.FromProtobuf(Bytes(RsaPublicKeyHex));
        Assert.Equal(spec.Data.ToArray(), rsa.ExportSubjectPublicKeyInfo());
        Assert.True(spec.Verify(Message, rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Fact]
    public void Ecdsa_p256_der_signature_from_the_bcl_verifies()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = PublicKey.FromProtobuf(PublicKeyTests.Envelope(KeyType.Ecdsa, ecdsa.ExportSubjectPublicKeyInfo()));
        var signature = ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        Assert.True(key.Verify(Message, signature));
        AssertTamperingFails(key, signature);
        // The raw r‖s form is not what libp2p sends.
        Assert.False(key.Verify(Message, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
    }

    [Fact]
    public void Ecdsa_spec_private_key_matches_spec_public_key_and_signs()
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportECPrivateKey(PrivateData(EcdsaPrivateKeyHex), out _);
        var spec = PublicKey.FromProtobuf(Bytes(EcdsaPublicKeyHex));
        Assert.Equal(spec.Data.ToArray(), ecdsa.ExportSubjectPublicKeyInfo());
        Assert.True(spec.Verify(Message, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void Secp256k1_der_signature_from_the_bcl_verifies()
    {
        for (var i = 0; i < 8; i++) // both y parities show up across a few keys
        {
            using var ecdsa = ECDsa.Create(Secp256k1PublicKey.Curve);
            var compressed = Secp256k1PublicKey.FromEcdsa(ecdsa);
            var key = PublicKey.FromProtobuf(compressed.ToProtobuf());
            var signature = ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            Assert.True(key.Verify(Message, signature));
            AssertTamperingFails(key, signature);
        }
    }

    [Fact]
    public void Secp256k1_spec_private_key_compresses_to_the_spec_public_key()
    {
        var scalar = PrivateData(Secp256k1PrivateKeyHex);
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = Secp256k1PublicKey.Curve, D = scalar });
        var spec = PublicKey.FromProtobuf(Bytes(Secp256k1PublicKeyHex));
        Assert.Equal(spec, Secp256k1PublicKey.FromEcdsa(ecdsa));
        Assert.True(spec.Verify(Message, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void Keys_of_the_wrong_type_do_not_verify()
    {
        using var ed = IdentityKey.Generate();
        var signature = ed.Sign(Message);
        foreach (var hex in new[] { RsaPublicKeyHex, EcdsaPublicKeyHex, Secp256k1PublicKeyHex, Ed25519PublicKeyHex })
        {
            Assert.False(PublicKey.FromProtobuf(Bytes(hex)).Verify(Message, signature));
        }
    }

    private static void AssertTamperingFails(PublicKey key, byte[] signature)
    {
        for (var i = 0; i < signature.Length; i += Math.Max(1, signature.Length / 16))
        {
            var flipped = (byte[])signature.Clone();
            flipped[i] ^= 0x01;
            Assert.False(key.Verify(Message, flipped));
        }
        var otherMessage = (byte[])Message.Clone();
        otherMessage[^1] ^= 0x01;
        Assert.False(key.Verify(otherMessage, signature));
        Assert.False(key.Verify(Message, signature[..^1]));
        Assert.False(key.Verify(Message, [.. signature, 0]));
        Assert.False(key.Verify(Message, []));
        Assert.False(key.Verify(Message, new byte[signature.Length]));
    }

    private static byte[] PrivateData(string privateKeyHex)
    {
        var reader = new PhysarumSM.Libp2p.Protobuf.ProtoReader(Bytes(privateKeyHex));
        byte[] data = [];
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 2)
            {
                data = reader.ReadBytes().ToArray();
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return data;
    }
}
