using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Tests.Multiformats;

public sealed class MultihashTests
{
    [Fact]
    public void Sha256_of_empty_input()
    {
        var multihash = Multihash.Sha256([]);
        Assert.Equal("1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(multihash.ToBytes()));
    }

    [Fact]
    public void Identity_embeds_the_data()
    {
        var multihash = Multihash.Identity([1, 2, 3]);
        Assert.Equal("0003010203", Convert.ToHexStringLower(multihash.ToBytes()));
        Assert.Equal(multihash, Multihash.Decode(multihash.ToBytes()));
    }

    [Fact]
    public void Equality_compares_contents()
    {
        Assert.Equal(Multihash.Sha256([9]), Multihash.Sha256([9]));
        Assert.Equal(Multihash.Sha256([9]).GetHashCode(), Multihash.Sha256([9]).GetHashCode());
        Assert.NotEqual(Multihash.Sha256([9]), Multihash.Identity([9]));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("12", "truncated varint at byte 1")]
    [InlineData("1220aa", "declares a 32-byte digest but 1 bytes follow")]
    [InlineData("0001aabb", "declares a 1-byte digest but 2 bytes follow")]
    public void Decode_names_the_problem(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Multihash.Decode(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
    }
}
