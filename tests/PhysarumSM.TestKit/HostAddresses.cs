using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.TestKit;

/// <summary>Addresses of test hosts. Why here: every test project dials hosts it started on loopback.</summary>
public static class HostAddresses
{
    /// <summary>The first listen address with /p2p/ appended, ready to dial.</summary>
    public static Multiaddr DialAddress(this Libp2pHost host) => host.ListenAddresses[0].WithPeerId(host.PeerId);
}
