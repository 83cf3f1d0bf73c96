using Microsoft.AspNetCore.Http.Features;

namespace PhysarumSM.Samples.Greeter;

/// <summary>
/// POST /echo: the request body streamed back as the response body. Why streamed: it shows a body of any size
/// crossing the mesh in both directions with memory bounded by the copy buffer, not by the body.
/// </summary>
internal static class EchoEndpoint
{
    private const int CopyBufferBytes = 64 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        // Kestrel caps request bodies at 30 MB by default; this endpoint exists to pass larger ones.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        // A known length is passed on, so the answer is not chunked when the request was not.
        context.Response.ContentLength = context.Request.ContentLength;
        await context.Request.Body.CopyToAsync(context.Response.Body, CopyBufferBytes, context.RequestAborted);
    }
}
