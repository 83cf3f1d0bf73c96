using System.Net;
using System.Net.Sockets;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Which advertised addresses are worth dialling. Why: peers advertise wildcard, multicast or loopback
/// addresses that mean nothing (or the wrong machine) to us; dialling them only wastes a backoff slot.
/// </summary>
internal static class DialableAddress
{
    /// <summary>
    /// A TCP address with a concrete host and port. Loopback counts only when <paramref name="allowLoopback"/>
    /// (the peer that told us about it is on our machine, so its loopback is ours).
    /// </summary>
    public static bool IsDialable(Multiaddr address, bool allowLoopback)
    {
        if (!address.TryGetTcpTarget(out var host, out var port) || port == 0)
        {
            return false;
        }

        if (address.IsLoopback)
        {
            return allowLoopback;
        }

        if (!IPAddress.TryParse(host, out var ip))
        {
            return true; // a DNS name: resolved when dialled
        }

        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        return ip.AddressFamily switch
        {
            AddressFamily.InterNetwork => ip.GetAddressBytes()[0] is < 224 or > 239, // not multicast
            AddressFamily.InterNetworkV6 => !ip.IsIPv6Multicast && !ip.IsIPv6LinkLocal, // link-local needs a zone we do not have
            _ => false,
        };
    }
}
