using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Crypto;

public sealed class IdentityKeyTests
{
    [Fact]
    public void Spec_private_key_loads_and_round_trips()
    {
        using var key = IdentityKey.FromProtobuf(Bytes(Ed25519PrivateKeyHex));
        Assert.Equal(Ed25519PeerId, key.PeerId.ToString());
        Assert.Equal(Bytes(Ed25519PublicKeyHex), key.PublicKey.ToProtobuf());
        Assert.Equal(Bytes(Ed25519PrivateKeyHex), key.ToProtobuf());
    }

    [Fact]
    public void Seed_gives_the_same_key_as_the_protobuf()
    {
        using var fromSeed = IdentityKey.FromSeed(Bytes(Ed25519SeedHex));
        Assert.Equal(Ed25519PeerId, fromSeed.PeerId.ToString());
        Assert.Equal(Bytes(Ed25519PrivateKeyHex), fromSeed.ToProtobuf());
    }

    [Fact]
    public void Zero_seed_private_protobuf_matches_the_digest()
    {
        using var key = IdentityKey.FromSeed(new byte[32]);
        Assert.Equal("08011240" + new string('0', 64) + ZeroSeedPublicKeyHex, Convert.ToHexStringLower(key.ToProtobuf()));
    }

    [Fact]
    public void Legacy_96_byte_form_is_accepted_when_both_copies_agree()
    {
        var publicKey = Ed25519PeerIdMultihashHex[12..];
        using var key = IdentityKey.FromProtobuf(Bytes("08011260" + Ed25519SeedHex + publicKey + publicKey));
        Assert.Equal(Ed25519PeerId, key.PeerId.ToString());
        Assert.Equal(Bytes(Ed25519PrivateKeyHex), key.ToProtobuf()); // written back in the 64-byte form
    }

    [Theory]
    [InlineData(RsaPrivateKeyHex, "only Ed25519 identity keys are supported, got RSA")]
    [InlineData(EcdsaPrivateKeyHex, "only Ed25519 identity keys are supported, got ECDSA")]
    [InlineData(Secp256k1PrivateKeyHex, "only Ed25519 identity keys are supported, got Secp256k1")]
    [InlineData("08011220" + Ed25519SeedHex, "must be 64 bytes")]
    [InlineData("08011240" + Ed25519SeedHex + Ed25519SeedHex, "does not belong to the seed")]
    [InlineData("08011260" + Ed25519SeedHex + ZeroSeedPublicKeyHex + Ed25519SeedHex, "two different public keys")]
    [InlineData("", "empty")]
    [InlineData("0801", "no Data")]
    [InlineData("080a1200", "unknown key type 10")]
    public void Unusable_private_keys_are_a_clear_FormatException(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => IdentityKey.FromProtobuf(Bytes(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Generated_keys_are_distinct_and_consistent()
    {
        using var a = IdentityKey.Generate();
        using var b = IdentityKey.Generate();
        Assert.NotEqual(a.PeerId, b.PeerId);
        Assert.Equal(a.PeerId, PeerId.FromPublicKey(a.PublicKey));
        using var reloaded = IdentityKey.FromProtobuf(a.ToProtobuf());
        Assert.Equal(a.PeerId, reloaded.PeerId);
        Assert.True(a.PublicKey.Verify("x"u8, reloaded.Sign("x"u8)));
    }

    [Fact]
    public void Seed_must_be_32_bytes() => Assert.Throws<ArgumentException>(() => IdentityKey.FromSeed(new byte[31]));
}
