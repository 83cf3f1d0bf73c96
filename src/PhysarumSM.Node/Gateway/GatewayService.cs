using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.Libp2p.Host;

namespace PhysarumSM.Node.Gateway;

/// <summary>Puts the data path's overlay protocols on the host (tunnel only where instances run) and runs the route cache's per-second checks.</summary>
internal sealed class GatewayService(Libp2pHost host, RouteCache routes, ResolveServer resolve, IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        resolve.Register(host);
        services.GetService<TunnelServer>()?.Register(host);
        return routes.RunChecksAsync(stoppingToken);
    }
}
