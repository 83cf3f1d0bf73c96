using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Node.Overlay;

namespace PhysarumSM.Node.Tests.Support;

/// <summary>A host with the overlay services running, as physarum-node composes them, with test-sized timings.</summary>
internal sealed class OverlayNode : IAsyncDisposable
{
    private OverlayNode(Libp2pHost host, BootstrapConnector bootstrap, PeerExchange exchange, RecordingLogger<PeerExchange> log)
    {
        Host = host;
        Bootstrap = bootstrap;
        Exchange = exchange;
        Log = log;
    }

    public Libp2pHost Host { get; }

    public BootstrapConnector Bootstrap { get; }

    public PeerExchange Exchange { get; }

    public RecordingLogger<PeerExchange> Log { get; }

    public PeerId PeerId => Host.PeerId;

    /// <summary>Options sized for tests: quick rounds, quick retries.</summary>
    public static PeerExchangeOptions FastExchange() => new()
    {
        ExchangeInterval = TimeSpan.FromMilliseconds(500),
        ExchangeTimeout = TimeSpan.FromSeconds(2),
        DialCheckInterval = TimeSpan.FromMilliseconds(50),
        DialBackoffInitial = TimeSpan.FromMilliseconds(100),
        DialBackoffMax = TimeSpan.FromSeconds(1),
    };

    public static async Task<OverlayNode> StartAsync(IReadOnlyList<Multiaddr> bootstraps, CancellationToken cancellationToken, Action<PeerExchangeOptions>? configure = null, IdentityKey? identity = null)
    {
        var host = await LoopbackHosts.StartAsync(identity);
        var options = FastExchange();
        configure?.Invoke(options);
        var log = new RecordingLogger<PeerExchange>();
        var exchange = new PeerExchange(host, options, log);
        var bootstrap = new BootstrapConnector(
            host,
            new BootstrapOptions { Bootstraps = [.. bootstraps], StartupRetryDelay = TimeSpan.FromMilliseconds(20), RedialInitialDelay = TimeSpan.FromMilliseconds(50), RedialMaxDelay = TimeSpan.FromSeconds(1) },
            new RecordingLogger<BootstrapConnector>());
        var node = new OverlayNode(host, bootstrap, exchange, log);
        try
        {
            await exchange.StartAsync(cancellationToken);
            await bootstrap.StartAsync(cancellationToken);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Exchange.StopAsync(cancellationToken);
        await Bootstrap.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Exchange.DisposeAsync();
        await Bootstrap.DisposeAsync();
        await Host.DisposeAsync();
    }
}
