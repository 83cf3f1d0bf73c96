using FsCheck.Xunit;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Tests.Multiformats;

public sealed class BaseEncodingTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("00", "1")]
    [InlineData("0000", "11")]
    [InlineData("61", "2g")]
    [InlineData("626262", "a3gV")]
    [InlineData("00000000000000000000", "1111111111")]
    [InlineData("1220" + "9dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")]
    public void Base58_known_vectors(string hex, string text)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal(text, Base58.Encode(bytes));
        Assert.Equal(bytes, Base58.Decode(text));
    }

    [Theory]
    [InlineData("0OIl")]
    [InlineData("abc+")]
    [InlineData("é")]
    public void Base58_rejects_characters_outside_the_alphabet(string text)
    {
        Assert.False(Base58.TryDecode(text, out _));
        Assert.Throws<FormatException>(() => Base58.Decode(text));
    }

    [Theory] // RFC 4648 section 10, lower-case and unpadded
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Base32_rfc4648_vectors(string plain, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(plain);
        Assert.Equal(text, Base32.Encode(bytes));
        Assert.Equal(bytes, Base32.Decode(text));
        Assert.Equal(bytes, Base32.Decode(text.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("m")]        // impossible length
    [InlineData("mzx")]      // impossible length
    [InlineData("my======")] // padding
    [InlineData("mz")]       // non-zero trailing bits
    [InlineData("m1")]       // not in alphabet
    public void Base32_rejects_invalid_text(string text)
    {
        Assert.False(Base32.TryDecode(text, out _));
        Assert.Throws<FormatException>(() => Base32.Decode(text));
    }

    [Fact]
    public void Null_text_is_not_decodable()
    {
        Assert.False(Base58.TryDecode(null, out _));
        Assert.False(Base32.TryDecode(null, out _));
    }

    [Property(MaxTest = 500)]
    public bool Base58_round_trips(byte[] data) => Base58.Decode(Base58.Encode(data)).AsSpan().SequenceEqual(data);

    [Property(MaxTest = 500)]
    public bool Base32_round_trips(byte[] data) => Base32.Decode(Base32.Encode(data)).AsSpan().SequenceEqual(data);

    [Property(MaxTest = 500)]
    public bool Base36_round_trips(byte[] data) =>
        Base36.TryDecode(Base36.Encode(data), out var decoded) && decoded.AsSpan().SequenceEqual(data);

    [Property(MaxTest = 500)]
    public bool Decoders_never_throw_unexpectedly(string? text) =>
        ParserFuzzing.OnlyThrows<FormatException>(() =>
        {
            Base58.TryDecode(text, out _);
            Base32.TryDecode(text, out _);
            if (text is not null)
            {
                Base36.TryDecode(text, out _);
                try { Base58.Decode(text); } catch (FormatException) { }
                Base32.Decode(text);
            }
        });
}
