namespace PhysarumSM.Client.Gateway;

/// <summary>
/// The address of a call through the mesh: <c>{gateway}{service}/{path and query of the request}</c>, the gateway's
/// <c>/{service}/{**path}</c> route. Only the request's path and query are kept; its scheme, host and fragment are not.
/// </summary>
internal static class GatewayUri
{
    // Resolves relative request URIs ("api/x?y=1", "/", "?q") to a path and query without caring about any host.
    private static readonly Uri Placeholder = new("http://request.invalid/");

    /// <param name="gateway">The gateway's base address, ending with '/'.</param>
    /// <param name="service">A valid service name (no escaping needed).</param>
    /// <param name="request">The caller's request URI: relative, absolute, or null for "/".</param>
    public static Uri For(Uri gateway, string service, Uri? request)
    {
        var pathAndQuery = request is null ? "/"
            : request.IsAbsoluteUri ? request.PathAndQuery
            : new Uri(Placeholder, request).PathAndQuery;
        return new Uri(gateway, $"{service}/{pathAndQuery[1..]}");
    }
}
