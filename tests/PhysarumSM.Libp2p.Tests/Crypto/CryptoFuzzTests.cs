using FsCheck.Xunit;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Tests.Multiformats;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Crypto;

public sealed class CryptoFuzzTests
{
    private static readonly PublicKey[] SpecKeys =
        [.. new[] { Ed25519PublicKeyHex, Secp256k1PublicKeyHex, EcdsaPublicKeyHex, RsaPublicKeyHex }.Select(h => PublicKey.FromProtobuf(Bytes(h)))];

    [Property(MaxTest = 2000)]
    public bool PublicKey_FromProtobuf_only_throws_FormatException(byte[] input) =>
        ParserFuzzing.OnlyThrows<FormatException>(() => PublicKey.FromProtobuf(input));

    [Property(MaxTest = 1000)]
    public bool PublicKey_with_a_random_payload_only_throws_FormatException(byte type, byte[] data) =>
        ParserFuzzing.OnlyThrows<FormatException>(() => PublicKey.FromProtobuf(PublicKeyTests.Envelope((KeyType)(type % 5), data)));

    [Property(MaxTest = 2000)]
    public bool IdentityKey_FromProtobuf_only_throws_FormatException(byte[] input) =>
        ParserFuzzing.OnlyThrows<FormatException>(() => IdentityKey.FromProtobuf(input).Dispose());

    [Property(MaxTest = 500)]
    public bool Verify_never_throws(byte[] data, byte[] signature) =>
        SpecKeys.All(key => !key.Verify(data, signature));

    [Fact]
    public void Mutated_spec_keys_only_throw_FormatException()
    {
        foreach (var hex in new[] { Ed25519PublicKeyHex, Secp256k1PublicKeyHex, EcdsaPublicKeyHex, RsaPublicKeyHex })
        {
            foreach (var mutated in ParserFuzzing.Mutations(Bytes(hex)))
            {
                ParserFuzzing.OnlyThrows<FormatException>(() => PublicKey.FromProtobuf(mutated).Verify("m"u8, mutated));
            }
        }
        foreach (var hex in new[] { Ed25519PrivateKeyHex, Secp256k1PrivateKeyHex, EcdsaPrivateKeyHex })
        {
            foreach (var mutated in ParserFuzzing.Mutations(Bytes(hex)))
            {
                ParserFuzzing.OnlyThrows<FormatException>(() => IdentityKey.FromProtobuf(mutated).Dispose());
            }
        }
    }

    [Fact]
    public void Mutated_signatures_never_throw()
    {
        using var key = IdentityKey.Generate();
        var signature = key.Sign("m"u8);
        foreach (var mutated in ParserFuzzing.Mutations(signature).Where(m => !m.AsSpan().SequenceEqual(signature)))
        {
            foreach (var spec in SpecKeys)
            {
                Assert.False(spec.Verify("m"u8, mutated));
            }
            Assert.False(key.PublicKey.Verify("m"u8, mutated));
        }
    }
}
