using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Node.Configuration;
using PhysarumSM.Node.Monitoring;
using PhysarumSM.Node.Overlay;
using PhysarumSM.Node.Registry;

namespace PhysarumSM.Node.Hosting;

/// <summary>
/// Brings the node onto the overlay in order: listen (done before the host is built, so a busy port is a
/// clear startup error), bootstraps, peer exchange, ping monitor; and takes it off in reverse.
/// </summary>
internal sealed partial class OverlayService(
    Libp2pHost host,
    BootstrapConnector bootstraps,
    PeerExchange exchange,
    PingMonitor monitor,
    RegistryProtocolHandler registry,
    IServiceProvider services,
    NodeOptions options,
    ILogger<OverlayService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _monitor = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Register(host);
        if (options.EtcdIp is not null || options.EtcdEndpoints is not null)
        {
            MemberAddProtocol.Register(host, services, logger);
        }

        await exchange.StartAsync(cancellationToken).ConfigureAwait(false);
        await bootstraps.StartAsync(cancellationToken).ConfigureAwait(false);
        _monitor = monitor.RunAsync(_stopping.Token);
        LogOnline(logger, host.PeerId.ToString(), host.ConnectedPeers.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _monitor.WaitAsync(cancellationToken).ConfigureAwait(false);
        await exchange.StopAsync(cancellationToken).ConfigureAwait(false);
        await bootstraps.StopAsync(cancellationToken).ConfigureAwait(false);
        await host.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(1, LogLevel.Information, "overlay up as {PeerId}, {Peers} peer(s) connected")]
    private static partial void LogOnline(ILogger logger, string peerId, int peers);
}
