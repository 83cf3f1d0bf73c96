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

    [Theory]
    [InlineData(0UL)]
    [InlineData(0xFFFF_FFFDUL)] // the low counter word wraps inside the 8-block step
    [InlineData(0x1234_5678_FFFF_FFFFUL)]
    public void Wide_path_matches_the_scalar_block_function(ulong counter)
    {
        if (!Salsa20Core.WideSupported)
        {
            return; // no AVX2: the scalar path is the only one, and the vectors above cover it
        }

        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var state = new uint[16];
        Salsa20Core.InitState(state, key, [1, 2, 3, 4, 5, 6, 7, 8]);

        var wide = new byte[Salsa20Core.BlockSize * Salsa20Core.WideBlocks];
        Salsa20Core.XorWide(state, counter, new byte[wide.Length], wide);

        var scalar = new byte[wide.Length];
        for (var i = 0; i < Salsa20Core.WideBlocks; i++)
        {
            Salsa20Core.Block(state, counter + (ulong)i, scalar.AsSpan(i * Salsa20Core.BlockSize, Salsa20Core.BlockSize));
        }

        Assert.Equal(scalar, wide);
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
