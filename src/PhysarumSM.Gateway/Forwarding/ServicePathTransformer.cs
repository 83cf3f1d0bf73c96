using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>
/// YARP's default request copy, then the path without its service segment, and the client's own Host header (as the
/// original's Go reverse proxy kept it): services see the request as the client sent it, minus the routing prefix.
/// </summary>
internal sealed class ServicePathTransformer : HttpTransformer
{
    public static readonly ServicePathTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        ServicePath.TrySplit(httpContext.Request.Path, out _, out var rest);
        proxyRequest.RequestUri = new Uri(destinationPrefix + rest.ToUriComponent() + httpContext.Request.QueryString.ToUriComponent());
        proxyRequest.Headers.Host = httpContext.Request.Host.HasValue ? httpContext.Request.Host.Value : null;
    }
}
