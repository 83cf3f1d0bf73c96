using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>Mounts the gateway on the listener(s) of its own port, beside a host's other endpoints (metrics, admin).</summary>
public static class GatewayApplicationBuilderExtensions
{
    /// <summary>
    /// Every request that arrived on one of <paramref name="ports"/> goes to <see cref="GatewayForwarder"/>, whatever its
    /// method or path. Why by port rather than by route: <c>/{service}/{**path}</c> owns the whole path space there.
    /// </summary>
    public static IApplicationBuilder UsePhysarumGateway(this IApplicationBuilder app, params int[] ports)
    {
        ArgumentNullException.ThrowIfNull(app);
        var forwarder = app.ApplicationServices.GetRequiredService<GatewayForwarder>();
        var set = ports.ToHashSet();
        return app.MapWhen(context => set.Contains(context.Connection.LocalPort), branch => branch.Run(forwarder.HandleAsync));
    }
}
