namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>Multibase base36 (lower-case digits and letters). Why: IPNS/peer-ID CIDs are often printed as <c>k51…</c>.</summary>
internal static class Base36
{
    private static readonly BaseX Codec = new("0123456789abcdefghijklmnopqrstuvwxyz");

    public static string Encode(ReadOnlySpan<byte> data) => Codec.Encode(data);

    /// <summary>Case-insensitive decode (multibase 'k' is lower, 'K' is upper).</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        Span<char> lower = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            lower[i] = char.ToLowerInvariant(text[i]);
        }
        return Codec.TryDecode(lower, out bytes);
    }
}
