using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Gateway.Forwarding;
using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.Grains.Instances;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Node.Configuration;
using PhysarumSM.Node.Monitoring;
using Prometheus;

namespace PhysarumSM.Node.Gateway;

/// <summary>Registers the node's data path: route cache over the service grains, forwarder, tunnel (allocator nodes) and resolve protocol.</summary>
internal static class NodeGatewayServices
{
    public static IServiceCollection AddNodeGateway(this IServiceCollection services, NodeOptions options, Libp2pHost libp2p, bool allocator, CollectorRegistry registry)
    {
        var nodeId = libp2p.PeerId.ToString();
        services.AddHttpForwarder();
        services.AddOptions<GatewayOptions>().Configure(o => o.ColdStartTimeout = options.ColdStartTimeout);
        services.AddOptions<RouteCacheOptions>();
        services.AddSingleton(new GatewayMetrics(registry));
        services.AddSingleton<IRouteResolver>(sp => new GrainRouteResolver(sp.GetRequiredService<IGrainFactory>(), nodeId, sp.GetService<ILogger<GrainRouteResolver>>()));
        services.AddSingleton<IRttSource>(sp => new PingRttSource(sp.GetRequiredService<PingMonitor>(), nodeId));
        services.AddSingleton(sp => new RouteCache(
            sp.GetRequiredService<IRouteResolver>(), sp.GetRequiredService<IRttSource>(),
            sp.GetRequiredService<IOptions<RouteCacheOptions>>(), sp.GetRequiredService<ILogger<RouteCache>>()));
        if (allocator)
        {
            services.AddSingleton<ILocalInstances>(sp => new LocalInstances(sp.GetRequiredService<ILocalInstanceTable>()));
            services.AddSingleton(sp => new TunnelServer(sp.GetRequiredService<ILocalInstances>(), new TunnelOptions(), sp.GetRequiredService<ILogger<TunnelServer>>()));
        }

        services.AddSingleton<IUpstreamDialer>(sp => new MeshUpstreamDialer(libp2p, nodeId, sp.GetService<ILocalInstances>()));
        services.AddSingleton(sp => new GatewayForwarder(
            sp.GetRequiredService<Yarp.ReverseProxy.Forwarder.IHttpForwarder>(),
            sp.GetRequiredService<RouteCache>(),
            sp.GetRequiredService<IUpstreamDialer>(),
            sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<ILogger<GatewayForwarder>>(),
            nodeId,
            sp.GetService<ILocalInstances>()));
        services.AddSingleton(sp => new ResolveServer(
            sp.GetRequiredService<ResolveForProxies>().ResolveAsync, sp.GetRequiredService<ILogger<ResolveServer>>()));
        services.AddSingleton(sp => new ResolveForProxies(sp.GetRequiredService<IRouteResolver>(), sp.GetRequiredService<IGrainFactory>()));
        services.AddHostedService<GatewayService>();
        return services;
    }
}
