using System.Diagnostics;
using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Gateway.Tunnel;
using Yarp.ReverseProxy.Forwarder;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>
/// Serves <c>/{service}/{**path}</c>: takes a route from the <see cref="RouteCache"/> (waiting for a cold start if
/// needed), forwards the request with YARP's forwarder over a socket or a tunnel, retries once on another instance
/// when an idempotent request without a body could not be sent, and answers the mesh's refusals with clear statuses
/// (404 unknown service, 503 nothing within the hard requirement, 504 cold start too slow, 502 upstream failure).
/// </summary>
public sealed partial class GatewayForwarder : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly RouteCache _routes;
    private readonly GatewayMetrics _metrics;
    private readonly GatewayOptions _options;
    private readonly ILocalInstances? _localInstances;
    private readonly string? _localNodeId;
    private readonly ILogger<GatewayForwarder> _logger;
    private readonly UpstreamRoutes _upstreams = new();
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _requestConfig;

    /// <summary>Creates the forwarder; its upstream HTTP client connects through <paramref name="dialer"/>.</summary>
    /// <param name="forwarder">YARP's forwarder (AddHttpForwarder).</param>
    /// <param name="routes">Where requests are routed.</param>
    /// <param name="dialer">Opens sockets or tunnels to instances.</param>
    /// <param name="metrics">The gateway's series.</param>
    /// <param name="options">Timeouts.</param>
    /// <param name="logger">Logs upstream failures.</param>
    /// <param name="localNodeId">This node's peer ID (null for a standalone proxy): requests to its own instances are counted here for idle culling.</param>
    /// <param name="localInstances">This node's instances (null for a standalone proxy).</param>
    public GatewayForwarder(
        IHttpForwarder forwarder,
        RouteCache routes,
        IUpstreamDialer dialer,
        GatewayMetrics metrics,
        IOptions<GatewayOptions> options,
        ILogger<GatewayForwarder> logger,
        string? localNodeId = null,
        ILocalInstances? localInstances = null)
    {
        _forwarder = forwarder;
        _routes = routes;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _localNodeId = localNodeId;
        _localInstances = localInstances;
        _requestConfig = new ForwarderRequestConfig { ActivityTimeout = _options.ActivityTimeout };
        var upstreams = _upstreams;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = _options.PooledConnectionIdleTimeout,
            ConnectTimeout = _options.ConnectTimeout,
            ConnectCallback = async (context, token) =>
            {
                if (!upstreams.TryGet(context.DnsEndPoint.Host, out var route))
                {
                    throw new IOException($"no instance is known as {context.DnsEndPoint.Host}");
                }

                return await dialer.ConnectAsync(route, token).ConfigureAwait(false);
            },
        }, disposeHandler: true);
    }

    /// <summary>Handles one gateway request end to end.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var label = GatewayMetrics.UnknownService;
        try
        {
            if (!ServicePath.TrySplit(context.Request.Path, out var service, out _))
            {
                await RefuseAsync(context, StatusCodes.Status404NotFound, "no service in the path: send requests to /{service}/{path}, e.g. /hello-world-server/");
                return;
            }

            label = await ForwardAsync(context, service);
        }
        finally
        {
            _metrics.Request(label, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    // Returns the metrics label: the service once it is known to exist.
    private async Task<string> ForwardAsync(HttpContext context, string service)
    {
        var aborted = context.RequestAborted;
        Route route;
        try
        {
            route = await ResolveAsync(context, service, exclude: null);
        }
        catch (ServiceNotFoundException ex)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, ex.Message);
            return GatewayMetrics.UnknownService;
        }
        catch (NoRouteException ex)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message);
            return service;
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            await RefuseAsync(context, StatusCodes.Status504GatewayTimeout,
                $"service '{service}' has no instance ready yet: a cold start did not finish within {_options.ColdStartTimeout.TotalSeconds:0.#} s (-cold-start-timeout); try again shortly");
            return service;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever the resolver could not classify still gets a reason, never a bare 500.
            LogResolveError(service, ex);
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, $"service '{service}' could not be routed: {ex.Message}");
            return service;
        }

        var error = await SendAsync(context, route);
        if (error == ForwarderError.None)
        {
            _routes.ReportSuccess(route);
            return service;
        }

        _routes.ReportFailure(route);
        LogUpstreamFailed(route.Service, route.InstanceId, error, context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message);
        if (!CanRetry(context, error))
        {
            await ExplainFailureAsync(context, route, error);
            return service;
        }

        // The request never reached the instance: reset what YARP wrote and try another one once.
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
        try
        {
            var retry = await ResolveAsync(context, service, exclude: route.InstanceId);
            error = await SendAsync(context, retry);
            if (error == ForwarderError.None)
            {
                _routes.ReportSuccess(retry);
            }
            else
            {
                _routes.ReportFailure(retry);
                LogUpstreamFailed(retry.Service, retry.InstanceId, error, context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message);
                await ExplainFailureAsync(context, retry, error);
            }
        }
        catch (ServiceNotFoundException ex)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, ex.Message);   // deleted while its instance was cached
            return GatewayMetrics.UnknownService;
        }
        catch (Exception ex) when (ex is not ServiceNotFoundException && (ex is not OperationCanceledException || !aborted.IsCancellationRequested))
        {
            await RefuseAsync(context, StatusCodes.Status502BadGateway, $"service '{service}': instance {route.InstanceId} failed and no other could be used: {ex.Message}");
        }

        return service;
    }

    private ValueTask<Route> ResolveAsync(HttpContext context, string service, string? exclude)
    {
        // A warm route completes synchronously: no timer, no linked token source on the hot path.
        return _routes.TryGetCached(service, exclude, out var cached) ? new ValueTask<Route>(cached) : WaitForRouteAsync(context, service, exclude);
    }

    private async ValueTask<Route> WaitForRouteAsync(HttpContext context, string service, string? exclude)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(_options.ColdStartTimeout);
        var pending = _routes.GetAsync(service, timeout.Token, exclude);
        var waited = !pending.IsCompleted;
        var route = await pending;
        if (waited && route.ColdStart)
        {
            _metrics.ColdStart(service);
        }

        return route;
    }

    private ValueTask<ForwarderError> SendAsync(HttpContext context, Route route)
    {
        if (_localInstances is not null && string.Equals(route.NodeId, _localNodeId, StringComparison.Ordinal))
        {
            _localInstances.RecordActivity(route.InstanceId);   // remote instances count at their node's tunnel end
        }

        return _forwarder.SendAsync(context, _upstreams.PrefixFor(route), _client, _requestConfig, ServicePathTransformer.Instance);
    }

    // Safe to send again only when nothing was sent upstream that cannot be repeated and the client saw nothing yet.
    private static bool CanRetry(HttpContext context, ForwarderError error)
    {
        var request = context.Request;
        var idempotent = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
                         || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsTrace(request.Method);
        var noBody = request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding");
        return error == ForwarderError.Request && idempotent && noBody && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested;
    }

    // YARP sets the status (502, or 504 when the upstream went silent) but no body; say which instance failed and why.
    private static Task ExplainFailureAsync(HttpContext context, Route route, ForwarderError error)
    {
        var reason = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
        return context.Response.HasStarted
            ? Task.CompletedTask
            : RefuseAsync(context, context.Response.StatusCode is >= 500 ? context.Response.StatusCode : StatusCodes.Status502BadGateway,
                $"service '{route.Service}': instance {route.InstanceId} on node {route.NodeId} failed ({error}): {reason}");
    }

    private static async Task RefuseAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway: resolving {Service} failed unexpectedly")]
    private partial void LogResolveError(string service, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway: {Service} instance {InstanceId} failed ({Error}): {Reason}")]
    private partial void LogUpstreamFailed(string service, string instanceId, ForwarderError error, string? reason);
}
