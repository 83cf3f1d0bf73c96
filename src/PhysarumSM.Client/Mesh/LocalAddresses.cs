using System.Net;
using System.Net.NetworkInformation;

namespace PhysarumSM.Client.Mesh;

/// <summary>
/// Whether an address belongs to this machine. Why it matters: nodes publish their gateway as a loopback URL for
/// clients on their own machine, so a loopback URL is only usable when the node's silo is local.
/// </summary>
internal static class LocalAddresses
{
    private static readonly Lazy<HashSet<IPAddress>> Interfaces = new(Read);

    public static bool Contains(IPAddress address) =>
        IPAddress.IsLoopback(address) || Interfaces.Value.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static HashSet<IPAddress> Read()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return [];   // unknown interfaces: only loopback counts as local
        }
    }
}
