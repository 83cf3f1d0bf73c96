using System.Globalization;
using System.Net;

namespace PhysarumSM.Node.Cluster;

/// <summary>A HOST:PORT pair as users type it in flags ("10.0.0.5:6379", "redis:6379", "[::1]:6379").</summary>
internal readonly record struct HostPort(string Host, int Port)
{
    public static bool TryParse(string? text, out HostPort parsed)
    {
        parsed = default;
        text = text?.Trim();
        var colon = text?.LastIndexOf(':') ?? -1;
        if (text is null || colon <= 0 || !TryParsePort(text[(colon + 1)..], out var port))
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out _))
            {
                return false;
            }

            host = host[1..^1];
        }
        else if (host.Contains(':') || host.Any(char.IsWhiteSpace))
        {
            return false;   // a bare IPv6 address is ambiguous without brackets
        }

        parsed = new HostPort(host, port);
        return true;
    }

    public static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
