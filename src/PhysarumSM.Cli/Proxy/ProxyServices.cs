using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Gateway.Forwarding;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Pnet;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;

namespace PhysarumSM.Cli.Proxy;

/// <summary>
/// Registers the standalone proxy: an overlay host with a fresh identity, the node's data path (route cache, forwarder,
/// gateway metrics) resolving through the nearest node, and tunnels straight to each instance's node.
/// </summary>
internal static class ProxyServices
{
    public static IServiceCollection AddPhysarumProxy(this IServiceCollection services, ProxySettings settings, CollectorRegistry registry)
    {
        // Anonymous, as the original proxy: nothing to keep between runs, and no listener (it only dials nodes).
        services.AddSingleton(sp => new Libp2pHost(IdentityKey.Generate(), new Libp2pHostOptions
        {
            PreSharedKey = settings.Overlay.Psk is null ? null : PreSharedKey.FromPassphrase(settings.Overlay.Psk),
        }, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(settings.Overlay);
        services.AddSingleton<NodeRtts>();
        services.AddSingleton<IRttSource>(sp => sp.GetRequiredService<NodeRtts>());
        services.AddSingleton<IRouteResolver, NearestNodeResolver>();

        services.AddHttpForwarder();
        services.AddOptions<GatewayOptions>();
        services.AddOptions<RouteCacheOptions>();
        services.AddSingleton(new GatewayMetrics(registry));
        services.AddSingleton(sp => new RouteCache(
            sp.GetRequiredService<IRouteResolver>(), sp.GetRequiredService<IRttSource>(),
            sp.GetRequiredService<IOptions<RouteCacheOptions>>(), sp.GetRequiredService<ILogger<RouteCache>>()));
        services.AddSingleton<IUpstreamDialer>(sp => new MeshUpstreamDialer(sp.GetRequiredService<Libp2pHost>(), localNodeId: null, localInstances: null));
        services.AddSingleton(sp => new GatewayForwarder(
            sp.GetRequiredService<IHttpForwarder>(),
            sp.GetRequiredService<RouteCache>(),
            sp.GetRequiredService<IUpstreamDialer>(),
            sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<ILogger<GatewayForwarder>>()));

        services.AddSingleton<BootstrapLinks>();
        services.AddHostedService(sp => sp.GetRequiredService<BootstrapLinks>());
        services.AddHostedService<NodePinger>();
        services.AddHostedService<RouteCacheChecks>();
        return services;
    }
}
