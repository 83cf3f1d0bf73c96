namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>Base58btc (Bitcoin alphabet). Why: the legacy and default text form of peer IDs.</summary>
public static class Base58
{
    private static readonly BaseX Codec = new("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");

    /// <summary>Encodes bytes; each leading zero byte becomes a leading '1'.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => Codec.Encode(data);

    /// <summary>Decodes base58btc text.</summary>
    /// <exception cref="FormatException">A character outside the alphabet.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecode(text, out var bytes) ? bytes : throw new FormatException($"'{Shorten(text)}' is not base58btc");
    }

    /// <summary>Decodes base58btc text; false on any character outside the alphabet.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        if (text is null)
        {
            bytes = [];
            return false;
        }
        return Codec.TryDecode(text, out bytes);
    }

    internal static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes) => Codec.TryDecode(text, out bytes);

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
