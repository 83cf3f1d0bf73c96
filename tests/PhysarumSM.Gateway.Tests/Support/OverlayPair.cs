using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.TestKit;

namespace PhysarumSM.Gateway.Tests.Support;

/// <summary>Two real libp2p hosts on loopback, connected: a node (serves the protocols) and a proxy (opens streams).</summary>
internal sealed class OverlayPair : IAsyncDisposable
{
    private OverlayPair(Libp2pHost node, Libp2pHost proxy)
    {
        Node = node;
        Proxy = proxy;
    }

    /// <summary>The host that answers tunnel and resolve streams.</summary>
    public Libp2pHost Node { get; }

    /// <summary>The host that opens them.</summary>
    public Libp2pHost Proxy { get; }

    public static async Task<OverlayPair> StartAsync(string? psk, CancellationToken cancellationToken)
    {
        var node = await StartHostAsync(psk);
        var proxy = await StartHostAsync(psk);
        var pair = new OverlayPair(node, proxy);
        try
        {
            await proxy.ConnectAsync(node.DialAddress(), cancellationToken);
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }

        return pair;
    }

    public static async Task<Libp2pHost> StartHostAsync(string? psk)
    {
        var options = new Libp2pHostOptions
        {
            ListenAddresses = ["/ip4/127.0.0.1/tcp/0"],
            PreSharedKey = psk is null ? null : PreSharedKey.FromPassphrase(psk),
            HandshakeTimeout = TimeSpan.FromSeconds(5),
            DuplicateConnectionGrace = TimeSpan.FromMilliseconds(200),
        };
        var host = new Libp2pHost(IdentityKey.Generate(), options);
        await host.StartAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Node.DisposeAsync();
    }
}
