using FsCheck.Xunit;
using PhysarumSM.Libp2p.Pnet;

namespace PhysarumSM.Libp2p.Tests.Pnet;

/// <summary>XSalsa20 against the NaCl and digest vectors (wire digest 6.4), and keystream continuity.</summary>
public sealed class XSalsa20Tests
{
    [Theory]
    [InlineData( // NaCl crypto_stream reference vector
        "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389",
        "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37",
        "eea6a7251c1e72916d11c2cb214d3c252539121d8e234e652d651fa4c8cff880")]
    [InlineData(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "000102030405060708090a0b0c0d0e0f1011121314151617",
        "7cb660afdd9ec6468f57dd6d2433f93428fd82cd7386c5471a24d8ad2a525b6e")]
    public void Keystream_matches_vector(string key, string nonce, string expected)
    {
        using var cipher = new XSalsa20(Convert.FromHexString(key), Convert.FromHexString(nonce));
        var keystream = new byte[32];
        cipher.Transform(keystream);
        Assert.Equal(expected, Convert.ToHexStringLower(keystream));
    }

    [Fact]
    public void Wide_and_scalar_blocks_agree_across_a_long_keystream()
    {
        // One call uses the 8-block path; 64-byte calls walk the same counters piece by piece.
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var nonce = Enumerable.Range(0, 24).Select(i => (byte)(i * 3)).ToArray();
        var whole = new byte[8192 + 100];
        new XSalsa20(key, nonce).Transform(whole);

        var pieces = new byte[whole.Length];
        var cipher = new XSalsa20(key, nonce);
        for (var offset = 0; offset < pieces.Length; offset += 64)
        {
            cipher.Transform(pieces.AsSpan(offset, Math.Min(64, pieces.Length - offset)));
        }

        Assert.Equal(whole, pieces);
    }

    [Property(MaxTest = 200)]
    public bool Keystream_is_continuous_across_arbitrary_call_sizes(byte[] data, int[] cuts)
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var nonce = Enumerable.Range(1, 24).Select(i => (byte)(255 - i)).ToArray();
        var expected = data.ToArray();
        new XSalsa20(key, nonce).Transform(expected);

        var actual = new byte[data.Length];
        var cipher = new XSalsa20(key, nonce);
        var position = 0;
        foreach (var cut in cuts.Append(int.MaxValue))
        {
            var n = Math.Min(data.Length - position, Math.Abs(cut % 1500));
            cipher.Transform(data.AsSpan(position, n), actual.AsSpan(position, n));
            position += n;
            if (position == data.Length)
            {
                break;
            }
        }

        cipher.Transform(data.AsSpan(position), actual.AsSpan(position));
        return expected.AsSpan().SequenceEqual(actual);
    }

    [Fact]
    public void Transform_twice_restores_the_plaintext_and_leaves_input_untouched()
    {
        var key = new byte[32];
        var nonce = new byte[24];
        var plaintext = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var copy = plaintext.ToArray();
        var ciphertext = new byte[plaintext.Length];
        new XSalsa20(key, nonce).Transform(plaintext, ciphertext);
        Assert.Equal(copy, plaintext);
        new XSalsa20(key, nonce).Transform(ciphertext);
        Assert.Equal(plaintext, ciphertext);
    }

    [Fact]
    public void Rejects_bad_sizes_and_partial_overlap()
    {
        Assert.Throws<ArgumentException>(() => new XSalsa20(new byte[31], new byte[24]));
        Assert.Throws<ArgumentException>(() => new XSalsa20(new byte[32], new byte[8]));
        var cipher = new XSalsa20(new byte[32], new byte[24]);
        var buffer = new byte[100];
        Assert.Throws<ArgumentException>(() => cipher.Transform(buffer.AsSpan(0, 50), buffer.AsSpan(1, 50)));
        Assert.Throws<ArgumentException>(() => cipher.Transform(buffer.AsSpan(0, 50), buffer.AsSpan(50, 10)));
    }
}
