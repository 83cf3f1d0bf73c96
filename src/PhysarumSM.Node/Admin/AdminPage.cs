using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace PhysarumSM.Node.Admin;

/// <summary>
/// The dashboard page: three small hand-written files embedded in the node (Admin/Assets), served as they are. Why
/// embedded: the node is one set of binaries and the dashboard must work on machines with no internet (no CDN).
/// </summary>
internal static class AdminPage
{
    private static readonly Assembly Self = typeof(AdminPage).Assembly;

    /// <summary>The page's files: request path → (embedded resource, content type).</summary>
    public static readonly IReadOnlyDictionary<string, (string Resource, string ContentType)> Files = new Dictionary<string, (string, string)>
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/dashboard.css"] = ("dashboard.css", "text/css; charset=utf-8"),
        ["/dashboard.js"] = ("dashboard.js", "text/javascript; charset=utf-8"),
    };

    /// <summary>A request delegate that writes one embedded file.</summary>
    public static RequestDelegate Serve(string resource, string contentType)
    {
        var bytes = Load(resource);
        return async context =>
        {
            context.Response.ContentType = contentType;
            context.Response.Headers.CacheControl = "no-cache";
            // Everything the page needs comes from this node: nothing else may load or run.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        };
    }

    private static byte[] Load(string resource)
    {
        using var stream = Self.GetManifestResourceStream($"PhysarumSM.Node.Admin.Assets.{resource}")
            ?? throw new InvalidOperationException($"the dashboard file {resource} is not embedded in {Self.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
