using Microsoft.Extensions.Hosting;

namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// Runs <see cref="RouteCache.RunChecksAsync"/> for the host's lifetime, so the node and the standalone proxy only
/// register it (<c>AddHostedService&lt;RouteCacheChecks&gt;()</c>) next to the <see cref="RouteCache"/> singleton.
/// </summary>
/// <param name="cache">The cache whose routes are re-checked every second.</param>
public sealed class RouteCacheChecks(RouteCache cache) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cache.RunChecksAsync(stoppingToken);
}
