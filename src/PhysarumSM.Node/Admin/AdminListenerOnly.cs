using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PhysarumSM.Node.Admin;

/// <summary>
/// Endpoint metadata: this endpoint answers only on the admin listener's port. Why by local port and not by Host
/// header: the metrics listener may face the network, and a Host header is whatever the client writes.
/// </summary>
/// <param name="Port">The admin listener's port.</param>
internal sealed record AdminListenerOnly(int Port)
{
    /// <summary>Middleware (after routing): a request for an admin endpoint that arrived on another listener gets a 404.</summary>
    public static IApplicationBuilder UseGuard(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AdminListenerOnly>() is { } only && context.Connection.LocalPort != only.Port)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    });
}
