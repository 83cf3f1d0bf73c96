using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Dashboard;

namespace PhysarumSM.Node.Admin;

/// <summary>
/// Mounts the dashboard (<c>/</c>), the JSON admin API (<c>/api/</c>) and the Orleans Dashboard (<c>/orleans/</c>) on
/// the admin listener, beside the node's other listeners (metrics, gateway).
/// </summary>
internal static class AdminApplicationExtensions
{
    /// <summary>Where the Orleans Dashboard is mounted.</summary>
    public const string OrleansDashboardPrefix = "/orleans";

    /// <summary>What the admin endpoints need besides the silo's own services.</summary>
    public static IServiceCollection AddPhysarumAdmin(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Maps every admin endpoint, answering only on <paramref name="listener"/>'s port.</summary>
    /// <param name="app">The node's application.</param>
    /// <param name="listener">The admin listener.</param>
    /// <param name="token">The <c>-admin-token</c>; null refuses every action with 403.</param>
    public static WebApplication MapPhysarumAdmin(this WebApplication app, AdminListener listener, string? token)
    {
        var only = new AdminListenerOnly(listener.Port);
        AdminListenerOnly.UseGuard(app);

        foreach (var (path, (resource, contentType)) in AdminPage.Files)
        {
            app.MapGet(path, AdminPage.Serve(resource, contentType)).WithMetadata(only);
        }

        var api = app.MapGroup("/api").WithMetadata(only).AddEndpointFilter<AdminErrorFilter>();
        api.MapGet("/nodes", AdminReadEndpoints.Nodes);
        api.MapGet("/services", AdminReadEndpoints.Services);
        api.MapGet("/instances", AdminReadEndpoints.Instances);
        api.MapGet("/rtt", AdminReadEndpoints.Rtt);
        api.MapGet("/events", AdminReadEndpoints.Events);

        var actions = api.MapGroup("").AddEndpointFilter(new AdminTokenFilter(token));
        actions.MapDelete("/services/{name}", AdminActionEndpoints.DeleteService);
        actions.MapPost("/instances/{**rest}", AdminActionEndpoints.CullInstance);

        // Anything else under /api/ is a JSON 404 rather than an empty one.
        api.Map("/{**rest}", static (HttpRequest request) =>
            AdminResults.Error(StatusCodes.Status404NotFound, $"no admin route {request.Method} {request.Path} (see README, 'Dashboard and admin API')"));

        app.MapOrleansDashboard(OrleansDashboardPrefix).WithMetadata(only);
        return app;
    }
}
