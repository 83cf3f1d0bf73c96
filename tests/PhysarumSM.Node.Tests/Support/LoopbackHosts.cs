using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Tests.Support;

/// <summary>Starts real libp2p hosts on loopback for overlay tests.</summary>
internal static class LoopbackHosts
{
    /// <summary>A host listening on 127.0.0.1 (port 0 = any) with short handshake deadlines.</summary>
    public static async Task<Libp2pHost> StartAsync(IdentityKey? identity = null, int port = 0)
    {
        var options = new Libp2pHostOptions
        {
            ListenAddresses = [$"/ip4/127.0.0.1/tcp/{port}"],
            HandshakeTimeout = TimeSpan.FromSeconds(5),
            DuplicateConnectionGrace = TimeSpan.FromMilliseconds(200),
        };
        var host = new Libp2pHost(identity ?? IdentityKey.Generate(), options);
        await host.StartAsync();
        return host;
    }

    /// <summary>The TCP port of the first listen address.</summary>
    public static int Port(this Libp2pHost host) => host.ListenAddresses[0].Components[1].Port;

    /// <summary>A loopback address where nothing listens (connections are refused).</summary>
    public static Multiaddr ClosedAddress()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return Multiaddr.FromEndPoint((System.Net.IPEndPoint)socket.LocalEndPoint!);
    }
}
