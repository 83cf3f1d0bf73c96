namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// RFC 4648 base32, lower-case, no padding. Why: the multibase 'b' encoding of CIDv1 peer IDs.
/// Decoding also accepts upper-case (multibase 'B') and rejects padding and non-zero trailing bits.
/// </summary>
public static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Encodes bytes as lower-case unpadded base32.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var length = (data.Length * 8 + 4) / 5;
        var chars = length <= 1024 ? stackalloc char[length] : new char[length];
        int buffer = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[o++] = Alphabet[(buffer >> bits) & 31];
            }
        }
        if (bits > 0)
        {
            chars[o++] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        return new string(chars[..o]);
    }

    /// <summary>Decodes unpadded base32 (either case).</summary>
    /// <exception cref="FormatException">Invalid character, impossible length or non-zero trailing bits.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecode(text.AsSpan(), out var bytes) ? bytes : throw new FormatException($"'{Base58.Shorten(text)}' is not unpadded RFC 4648 base32");
    }

    /// <summary>Decodes unpadded base32; false on any invalid input.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        if (text is null)
        {
            bytes = [];
            return false;
        }
        return TryDecode(text.AsSpan(), out bytes);
    }

    internal static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        // 1, 3 and 6 leftover characters cannot come from whole bytes.
        var rest = text.Length % 8;
        if (rest is 1 or 3 or 6)
        {
            bytes = [];
            return false;
        }
        var result = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, o = 0;
        foreach (var c in text)
        {
            int v = c switch
            {
                >= 'a' and <= 'z' => c - 'a',
                >= 'A' and <= 'Z' => c - 'A',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };
            if (v < 0)
            {
                bytes = [];
                return false;
            }
            buffer = ((buffer << 5) | v) & 0xfff;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                result[o++] = (byte)(buffer >> bits);
            }
        }
        // Canonical form: the unused low bits of the last character are zero.
        if ((buffer & ((1 << bits) - 1)) != 0)
        {
            bytes = [];
            return false;
        }
        bytes = result;
        return true;
    }
}
