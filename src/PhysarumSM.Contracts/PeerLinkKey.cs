using System.Diagnostics.CodeAnalysis;

namespace PhysarumSM.Contracts;

/// <summary>
/// The key of a directed link grain, <c>{from}-&gt;{to}</c>; one type owns the format so writers and readers of
/// <see cref="IPeerLinkGrain"/> keys can never disagree.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.PeerLinkKey")]
public readonly record struct PeerLinkKey
{
    /// <summary>What joins the two peer IDs; peer IDs (base58 or base32 text) never contain it.</summary>
    public const string Separator = "->";

    /// <summary>Creates a key, rejecting peer IDs that would make the text form ambiguous.</summary>
    /// <exception cref="ArgumentException">A peer ID is empty, has white space or contains <see cref="Separator"/>.</exception>
    public PeerLinkKey(string from, string to)
    {
        From = RequirePeerId(from, nameof(from));
        To = RequirePeerId(to, nameof(to));
    }

    /// <summary>Peer ID of the measuring node.</summary>
    [Id(0)]
    public string From { get; }

    /// <summary>Peer ID of the measured peer.</summary>
    [Id(1)]
    public string To { get; }

    /// <summary>The grain key text for a link; what callers pass to <c>GetGrain&lt;IPeerLinkGrain&gt;</c>.</summary>
    /// <exception cref="ArgumentException">A peer ID is empty, has white space or contains <see cref="Separator"/>.</exception>
    public static string Format(string from, string to) => new PeerLinkKey(from, to).ToString();

    /// <summary>Reads a grain key back into its two peer IDs.</summary>
    /// <exception cref="FormatException">The text is not two valid peer IDs joined by <see cref="Separator"/>.</exception>
    public static PeerLinkKey Parse(string key) =>
        TryParse(key, out var parsed)
            ? parsed
            : throw new FormatException($"peer link key '{key}' is not FROM{Separator}TO (two peer IDs joined by '{Separator}')");

    /// <summary>Reads a grain key without throwing, for callers that skip malformed keys.</summary>
    public static bool TryParse([NotNullWhen(true)] string? key, out PeerLinkKey parsed)
    {
        parsed = default;
        var at = key?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (key is null || at < 0)
        {
            return false;
        }

        var from = key[..at];
        var to = key[(at + Separator.Length)..];
        if (!IsPeerId(from) || !IsPeerId(to))
        {
            return false;
        }

        parsed = new PeerLinkKey(from, to);
        return true;
    }

    /// <summary>The grain key text, <c>{From}-&gt;{To}</c>.</summary>
    public override string ToString() => From + Separator + To;

    private static bool IsPeerId(string value) =>
        value.Length > 0 && !value.Contains(Separator, StringComparison.Ordinal) && !value.Any(char.IsWhiteSpace);

    private static string RequirePeerId(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return IsPeerId(value)
            ? value
            : throw new ArgumentException($"'{value}' is not a peer ID usable in a link key (empty, white space or '{Separator}')", name);
    }
}
