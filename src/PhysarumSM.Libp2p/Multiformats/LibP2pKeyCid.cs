namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// CIDv1 with codec libp2p-key (0x72) in multibase text. Why: the newer text form of peer IDs
/// (<c>bafz…</c>, <c>k51…</c>) that parsers must accept alongside base58.
/// </summary>
internal static class LibP2pKeyCid
{
    public const ulong CidVersion = 1;
    public const ulong LibP2pKeyCodec = 0x72;

    /// <summary>Multibase base32 ('b') of <c>01 72 ‖ multihash</c>.</summary>
    public static string Format(ReadOnlySpan<byte> multihash)
    {
        Span<byte> cid = multihash.Length <= 256 ? stackalloc byte[multihash.Length + 2] : new byte[multihash.Length + 2];
        cid[0] = (byte)CidVersion;
        cid[1] = (byte)LibP2pKeyCodec;
        multihash.CopyTo(cid[2..]);
        return "b" + Base32.Encode(cid);
    }

    /// <summary>Decodes multibase text to the multihash bytes inside a libp2p-key CIDv1.</summary>
    public static byte[] ParseMultihash(string text)
    {
        if (text.Length < 2)
        {
            throw new FormatException($"'{text}' is too short to be a CID");
        }
        var body = text.AsSpan(1);
        byte[] bytes;
        var ok = text[0] switch
        {
            'b' or 'B' => Base32.TryDecode(body, out bytes),
            'z' => Base58.TryDecode(body, out bytes),
            'k' or 'K' => Base36.TryDecode(body, out bytes),
            'f' or 'F' => TryDecodeHex(body, out bytes),
            _ => throw new FormatException($"unsupported multibase prefix '{text[0]}' in '{Base58.Shorten(text)}' (expected base58btc or a CID in b/z/k/f multibase)"),
        };
        if (!ok)
        {
            throw new FormatException($"'{Base58.Shorten(text)}' is not valid multibase '{text[0]}' text");
        }
        var offset = 0;
        var version = Varint.ReadComplete(bytes, ref offset);
        if (version != CidVersion)
        {
            throw new FormatException($"CID version {version} is not supported for peer IDs (need 1)");
        }
        var codec = Varint.ReadComplete(bytes, ref offset);
        if (codec != LibP2pKeyCodec)
        {
            throw new FormatException($"CID codec 0x{codec:x} is not libp2p-key (0x72)");
        }
        return bytes[offset..];
    }

    private static bool TryDecodeHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
