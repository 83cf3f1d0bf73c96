using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace PhysarumSM.Node.Cluster;

/// <summary>
/// <see cref="NodeClusterOptions"/> checked and resolved into concrete endpoints before anything touches Orleans, so a
/// bad value fails at start with a message naming it rather than as a socket error later.
/// </summary>
internal abstract record ClusterPlan(string ClusterId, string ServiceId, int SiloPort, int GatewayPort)
{
    public static ClusterPlan From(NodeClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clusterId = RequireId(options.ClusterId, "cluster id");
        var serviceId = RequireId(options.ServiceId, "service id");
        RequirePort(options.SiloPort, "silo port");
        RequirePort(options.GatewayPort, "gateway port");
        if (options.SiloPort == options.GatewayPort)
        {
            throw new ArgumentException($"silo port and gateway port are both {options.SiloPort}; give each its own port");
        }

        if (!string.IsNullOrWhiteSpace(options.RedisConnectionString))
        {
            if (!string.IsNullOrWhiteSpace(options.PrimarySiloEndpoint))
            {
                throw new ArgumentException(
                    $"primary silo endpoint '{options.PrimarySiloEndpoint}' is for localhost clustering; with redis the silos find each other in the membership table, so drop it");
            }

            return new RedisClusterPlan(
                clusterId, serviceId, options.SiloPort, options.GatewayPort,
                ResolveAdvertised(options.AdvertisedAddress),
                RedisMembershipAddress.Parse(options.RedisConnectionString.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(options.AdvertisedAddress)
            && !(IPAddress.TryParse(options.AdvertisedAddress, out var advertised) && IPAddress.IsLoopback(advertised)))
        {
            throw new ArgumentException(
                $"advertised address '{options.AdvertisedAddress}' (-advertise-ip) needs redis clustering (-redis HOST:PORT); localhost clustering always uses 127.0.0.1");
        }

        var self = new IPEndPoint(IPAddress.Loopback, options.SiloPort);
        var primary = string.IsNullOrWhiteSpace(options.PrimarySiloEndpoint) ? self : ParsePrimary(options.PrimarySiloEndpoint);
        return new LocalhostClusterPlan(clusterId, serviceId, options.SiloPort, options.GatewayPort, primary);
    }

    /// <summary>Configures membership, endpoints and cluster identity on the silo.</summary>
    public abstract void Apply(ISiloBuilder silo);

    private static string RequireId(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{what} must not be empty") : value.Trim();

    private static void RequirePort(int port, string what)
    {
        if (port is <= 0 or > 65535)
        {
            throw new ArgumentException($"{what} {port} is not a TCP port (1-65535)");
        }
    }

    private static IPEndPoint ParsePrimary(string text)
    {
        if (!HostPort.TryParse(text, out var hostPort))
        {
            throw new ArgumentException($"primary silo endpoint '{text}' is not HOST:PORT");
        }

        if (string.Equals(hostPort.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, hostPort.Port);
        }

        return IPAddress.TryParse(hostPort.Host, out var address)
            ? new IPEndPoint(address, hostPort.Port)
            : throw new ArgumentException($"primary silo endpoint '{text}' must name an IP address or localhost, not a host name");
    }

    private static IPAddress ResolveAdvertised(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return FirstInterfaceAddress()
                ?? throw new ArgumentException("no non-loopback IPv4 address to advertise to other silos; set it with -advertise-ip");
        }

        text = text.Trim();
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        try
        {
            var resolved = Dns.GetHostAddresses(text);
            return resolved.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? resolved.FirstOrDefault()
                ?? throw new ArgumentException($"advertised address '{text}' (-advertise-ip) resolves to no IP address");
        }
        catch (SocketException ex)
        {
            throw new ArgumentException($"advertised address '{text}' is neither an IP address nor a resolvable host name ({ex.Message})", ex);
        }
    }

    private static IPAddress? FirstInterfaceAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}

/// <summary>One machine: silos talk over loopback and all point at the primary's silo endpoint (the primary at itself).</summary>
internal sealed record LocalhostClusterPlan(string ClusterId, string ServiceId, int SiloPort, int GatewayPort, IPEndPoint Primary)
    : ClusterPlan(ClusterId, ServiceId, SiloPort, GatewayPort)
{
    public override void Apply(ISiloBuilder silo) =>
        silo.UseLocalhostClustering(SiloPort, GatewayPort, Primary, ServiceId, ClusterId);
}

/// <summary>Many machines: the membership table lives in Redis; this silo listens on all interfaces and advertises one address.</summary>
internal sealed record RedisClusterPlan(
    string ClusterId, string ServiceId, int SiloPort, int GatewayPort, IPAddress Advertised, ConfigurationOptions Redis)
    : ClusterPlan(ClusterId, ServiceId, SiloPort, GatewayPort)
{
    public override void Apply(ISiloBuilder silo)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId;
            o.ServiceId = ServiceId;
        });
        silo.ConfigureEndpoints(Advertised, SiloPort, GatewayPort, listenOnAnyHostAddress: true);
        silo.UseRedisClustering(o => o.ConfigurationOptions = Redis.Clone());
    }
}
