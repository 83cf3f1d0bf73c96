using Microsoft.AspNetCore.Http;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Node.Registry;

namespace PhysarumSM.Node.Admin;

/// <summary>
/// Turns control-plane failures into a 503 with the reason, instead of a bare 500: the registry (etcd) or a silo may be
/// away for a moment, and the dashboard shows the message and polls again.
/// </summary>
internal sealed partial class AdminErrorFilter(ILogger<AdminErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is RegistryUnavailableException or OrleansException or TimeoutException)
        {
            LogUnavailable(logger, context.HttpContext.Request.Path, ex.Message);
            return AdminResults.Error(StatusCodes.Status503ServiceUnavailable, $"the control plane did not answer: {ex.Message}");
        }
        catch (Exception ex) when (NoRegistryInMesh.Is(ex))
        {
            LogUnavailable(logger, context.HttpContext.Request.Path, ex.Message);
            return AdminResults.Error(StatusCodes.Status503ServiceUnavailable, NoRegistryInMesh.Message);
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "admin {Path}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string path, string reason);
}
