using System.Globalization;
using System.Text.RegularExpressions;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>WCAG 2 contrast ratio between two CSS colours as getComputedStyle reports them (<c>rgb(r, g, b)</c> or <c>rgba(...)</c>).</summary>
internal static partial class Contrast
{
    public static double Ratio(string foreground, string background)
    {
        var (a, b) = (Luminance(foreground), Luminance(background));
        return (Math.Max(a, b) + 0.05) / (Math.Min(a, b) + 0.05);
    }

    /// <summary>The colour's alpha (1 when opaque); a transparent background would make the ratio meaningless.</summary>
    public static double Alpha(string css)
    {
        var parts = Channels(css);
        return parts.Length > 3 ? parts[3] : 1;
    }

    private static double Luminance(string css)
    {
        var c = Channels(css).Take(3).Select(v => v / 255).Select(v => v <= 0.03928 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4)).ToArray();
        return (0.2126 * c[0]) + (0.7152 * c[1]) + (0.0722 * c[2]);
    }

    private static double[] Channels(string css)
    {
        var match = Rgb().Match(css);
        return match.Success
            ? match.Groups[1].Value.Split(',').Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture)).ToArray()
            : throw new FormatException($"not an rgb() colour: '{css}'");
    }

    [GeneratedRegex(@"^rgba?\(([^)]*)\)$")]
    private static partial Regex Rgb();
}
