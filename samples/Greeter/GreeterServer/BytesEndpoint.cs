using System.Globalization;

namespace PhysarumSM.Samples.Greeter;

/// <summary>
/// GET /bytes/{n}: n bytes of a fixed pattern (byte i = i % 251), with Content-Length, written in 64 KiB chunks.
/// Why: a large answer whose every byte a client can check, produced without holding it in memory.
/// </summary>
internal static class BytesEndpoint
{
    /// <summary>The largest n accepted; a bound so a typo cannot ask for an endless stream.</summary>
    public const long MaxBytes = 64L * 1024 * 1024 * 1024;

    private const int ChunkBytes = 64 * 1024;
    private const int Period = 251;

    // One shared buffer, a chunk plus one period: any chunk is a slice of it starting at (offset % 251).
    private static readonly byte[] Pattern = MakePattern();

    public static async Task HandleAsync(HttpContext context)
    {
        var text = context.Request.RouteValues["n"] as string;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"Greeter: /bytes/{{n}} needs n as a whole number 0-{MaxBytes}, got '{text}'\n");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = length;
        var body = context.Response.Body;
        for (long offset = 0; offset < length;)
        {
            var count = (int)Math.Min(ChunkBytes, length - offset);
            await body.WriteAsync(Pattern.AsMemory((int)(offset % Period), count), context.RequestAborted);
            offset += count;
        }
    }

    private static byte[] MakePattern()
    {
        var pattern = new byte[ChunkBytes + Period];
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (byte)(i % Period);
        }

        return pattern;
    }
}
