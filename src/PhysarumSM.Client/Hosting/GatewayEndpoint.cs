using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PhysarumSM.Client.Hosting;

/// <summary>One Orleans gateway as users write it: HOST:PORT, <c>[IPv6]:PORT</c> for IPv6 literals.</summary>
internal readonly record struct GatewayEndpoint(string Host, int Port)
{
    public static bool TryParse(string? text, out GatewayEndpoint endpoint)
    {
        endpoint = default;
        text = text?.Trim();
        var colon = text?.LastIndexOf(':') ?? -1;
        if (text is null || colon <= 0
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
            if (!IPAddress.TryParse(host, out _))
            {
                return false;
            }
        }
        else if (host.Contains(':') || host.Any(char.IsWhiteSpace))
        {
            return false;   // a bare IPv6 address is ambiguous without brackets
        }

        endpoint = new GatewayEndpoint(host, port);
        return true;
    }

    /// <summary>The endpoint Orleans dials; a host name is resolved now (IPv4 first), "localhost" is loopback.</summary>
    /// <exception cref="ArgumentException">The host name resolves to no address; the message names it.</exception>
    public IPEndPoint Resolve()
    {
        if (IPAddress.TryParse(Host, out var address))
        {
            return new IPEndPoint(address, Port);
        }

        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, Port);
        }

        try
        {
            var addresses = Dns.GetHostAddresses(Host);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return chosen is null
                ? throw new ArgumentException($"{PhysarumClientOptions.SectionName}:Gateways: host '{Host}' resolves to no address")
                : new IPEndPoint(chosen, Port);
        }
        catch (SocketException ex)
        {
            throw new ArgumentException($"{PhysarumClientOptions.SectionName}:Gateways: host '{Host}' cannot be resolved ({ex.Message})", ex);
        }
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
