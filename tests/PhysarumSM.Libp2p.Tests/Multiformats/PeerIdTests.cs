using FsCheck.Xunit;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Tests.Crypto;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Multiformats;

public sealed class PeerIdTests
{
    [Theory]
    [InlineData(Ed25519PublicKeyHex, Ed25519PeerId)]
    [InlineData(Secp256k1PublicKeyHex, Secp256k1PeerId)]
    [InlineData(EcdsaPublicKeyHex, EcdsaPeerId)]
    [InlineData(RsaPublicKeyHex, RsaPeerId)]
    public void Spec_public_keys_give_the_spec_peer_ids(string publicKeyHex, string expected)
    {
        var key = PublicKey.FromProtobuf(Bytes(publicKeyHex));
        var peerId = PeerId.FromPublicKey(key);
        Assert.Equal(expected, peerId.ToString());
        Assert.Equal(peerId, PeerId.Parse(expected));
        Assert.True(peerId.Matches(key));
    }

    [Fact]
    public void Ed25519_peer_id_is_the_identity_multihash_of_the_key()
    {
        var peerId = PeerId.FromPublicKey(PublicKey.FromProtobuf(Bytes(Ed25519PublicKeyHex)));
        Assert.Equal(Ed25519PeerIdMultihashHex, Convert.ToHexStringLower(peerId.Bytes.Span));
        Assert.Equal(Multihash.IdentityCode, peerId.Multihash.Code);
    }

    [Fact]
    public void Zero_seed_key_gives_the_known_peer_id()
    {
        using var key = IdentityKey.FromSeed(new byte[32]);
        Assert.Equal(ZeroSeedPublicKeyHex, Convert.ToHexStringLower(key.PublicKey.Data.Span));
        Assert.Equal(ZeroSeedPeerId, key.PeerId.ToString());
    }

    [Theory]
    [InlineData(Ed25519PeerId, Ed25519Cid)]
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")]
    [InlineData("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", "bafzaajaiaejcal72gwuz2or47oyxxn6b3rkwdmmkrxgkjxzy3rqt5kczyn7lcm3l")]
    public void Cid_form_both_directions(string base58, string cid)
    {
        var fromBase58 = PeerId.Parse(base58);
        var fromCid = PeerId.Parse(cid);
        Assert.Equal(fromBase58, fromCid);
        Assert.Equal(cid, fromBase58.ToCidString());
        Assert.Equal(base58, fromCid.ToString());
    }

    [Fact]
    public void Other_multibase_forms_of_the_cid_parse()
    {
        var peerId = PeerId.Parse(Ed25519PeerId);
        byte[] cid = [0x01, 0x72, .. peerId.Bytes.Span];
        Assert.Equal(peerId, PeerId.Parse("B" + Base32.Encode(cid).ToUpperInvariant()));
        Assert.Equal(peerId, PeerId.Parse("z" + Base58.Encode(cid)));
        Assert.Equal(peerId, PeerId.Parse("k" + Base36.Encode(cid)));
        Assert.Equal(peerId, PeerId.Parse("f" + Convert.ToHexStringLower(cid)));
    }

    [Fact]
    public void Public_key_can_be_recovered_from_identity_ids_only()
    {
        var ed = PeerId.Parse(Ed25519PeerId).TryGetPublicKey();
        Assert.NotNull(ed);
        Assert.Equal(KeyType.Ed25519, ed.Type);
        Assert.Equal(Bytes(Ed25519PublicKeyHex), ed.ToProtobuf());
        Assert.IsType<Secp256k1PublicKey>(PeerId.Parse(Secp256k1PeerId).TryGetPublicKey());
        Assert.Null(PeerId.Parse(RsaPeerId).TryGetPublicKey());
    }

    [Fact]
    public void Matches_rejects_a_different_key()
    {
        using var other = IdentityKey.Generate();
        Assert.False(PeerId.Parse(Ed25519PeerId).Matches(other.PublicKey));
        Assert.False(PeerId.Parse(RsaPeerId).Matches(other.PublicKey));
    }

    [Fact]
    public void Value_equality_and_operators()
    {
        var a = PeerId.Parse(Ed25519PeerId);
        var b = PeerId.FromBytes(Bytes(Ed25519PeerIdMultihashHex));
        var c = PeerId.Parse(RsaPeerId);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a != c);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(null));
        Assert.True((PeerId?)null == null);
        Assert.Single(new HashSet<PeerId> { a, b });
    }

    [Theory]
    [InlineData("1114aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "code 0x11")] // sha1 multihash
    [InlineData("1201aa", "1-byte digest")]                  // sha2-256 with the wrong length
    [InlineData("0000", "empty")]                            // empty identity
    [InlineData("002b" + "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "at most 42")]
    [InlineData("12", "truncated varint")]
    public void FromBytes_rejects_other_multihashes(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PeerId.FromBytes(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Qm0000", "base58")]
    [InlineData("x1234", "multibase prefix 'x'")]
    [InlineData("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", "too long")]
    [InlineData("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "libp2p-key")] // a dag-pb CID
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5", "digest")]
    public void Parse_errors_say_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PeerId.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.False(PeerId.TryParse(text, out var none));
        Assert.Null(none);
    }

    [Fact]
    public void TryParse_accepts_valid_and_null()
    {
        Assert.True(PeerId.TryParse(Secp256k1PeerId, out var peerId));
        Assert.Equal(Secp256k1PeerId, peerId.ToString());
        Assert.False(PeerId.TryParse(null, out _));
    }

    [Property(MaxTest = 300)]
    public bool Generated_keys_round_trip_through_both_text_forms(byte[] seedMaterial)
    {
        var seed = new byte[32];
        seedMaterial.AsSpan(0, Math.Min(32, seedMaterial.Length)).CopyTo(seed);
        using var key = IdentityKey.FromSeed(seed);
        var id = key.PeerId;
        return id.ToString().StartsWith("12D3KooW", StringComparison.Ordinal)
            && PeerId.Parse(id.ToString()) == id
            && PeerId.Parse(id.ToCidString()) == id
            && PeerId.FromBytes(id.Bytes.Span) == id;
    }

    [Property(MaxTest = 2000)]
    public bool FromBytes_only_throws_FormatException(byte[] input) =>
        ParserFuzzing.OnlyThrows<FormatException>(() => PeerId.FromBytes(input));

    [Property(MaxTest = 2000)]
    public bool Parse_only_throws_FormatException(string? text) =>
        ParserFuzzing.OnlyThrows<FormatException>(() =>
        {
            PeerId.TryParse(text, out _);
            if (text is not null)
            {
                PeerId.Parse(text);
            }
        });

    [Fact]
    public void Mutated_peer_id_bytes_and_text_only_throw_FormatException()
    {
        foreach (var valid in new[] { Bytes(Ed25519PeerIdMultihashHex), PeerId.Parse(RsaPeerId).Bytes.ToArray() })
        {
            foreach (var mutated in ParserFuzzing.Mutations(valid))
            {
                ParserFuzzing.OnlyThrows<FormatException>(() => PeerId.FromBytes(mutated));
                ParserFuzzing.OnlyThrows<FormatException>(() => PeerId.Parse(Base58.Encode(mutated)));
                ParserFuzzing.OnlyThrows<FormatException>(() => PeerId.Parse("b" + Base32.Encode([0x01, 0x72, .. mutated])));
                ParserFuzzing.OnlyThrows<FormatException>(() => PeerId.FromBytes(mutated)?.TryGetPublicKey());
            }
        }
    }
}
