using System.Globalization;
using System.Net;
using PhysarumSM.Node.Configuration;

namespace PhysarumSM.Node.Admin;

/// <summary>Where the dashboard and admin API listen (<c>-admin-listen-addr</c>), and the URL people open on this machine.</summary>
/// <param name="EndPoint">The Kestrel endpoint of the admin listener.</param>
internal sealed record AdminListener(IPEndPoint EndPoint)
{
    /// <summary>The port the admin endpoints answer on; requests on any other listener never reach them.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The dashboard's URL; a wildcard address is reached on loopback.</summary>
    public string Url
    {
        get
        {
            var host = EndPoint.Address.Equals(IPAddress.Any) || EndPoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
                : EndPoint.Address.ToString();
            return string.Create(CultureInfo.InvariantCulture, $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{Port}/");
        }
    }

    /// <summary>The listener <paramref name="options"/> ask for, or null for <c>-admin-listen-addr off</c>.</summary>
    /// <exception cref="ArgumentException">The address is not [HOST]:PORT with an IP address (or localhost) as HOST.</exception>
    public static AdminListener? From(NodeOptions options)
    {
        if (options.AdminListenAddress.Equals(NodeCommandLine.AdminListenOff, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var (host, port) = NodeCommandLine.SplitHostPort(options.AdminListenAddress, "-admin-listen-addr");
        var address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip
            : throw new ArgumentException($"-admin-listen-addr host '{host}' must be an IP address");
        return new AdminListener(new IPEndPoint(address, port));
    }
}
