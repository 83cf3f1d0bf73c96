using System.Net;

namespace PhysarumSM.Samples.Greeter;

/// <summary>
/// GET / and /greet: one call to the target service through the node's gateway, answered as
/// "Greeter got: &lt;answer&gt;". Failures are one clear line: 500 when the gateway is unknown, 502 when the call fails.
/// </summary>
internal sealed class GreetEndpoint(GreeterSettings settings) : IDisposable
{
    // Longer than the gateway's default cold-start wait (30 s): the first call may start the target from zero.
    private static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(35);
    private const int MaxQuotedBody = 200;

    // One client for the process (connection reuse); no system proxy, since the gateway is the only hop wanted.
    private readonly HttpClient client = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task HandleAsync(HttpContext context)
    {
        if (settings.TargetUri is null)
        {
            await ReplyAsync(context, StatusCodes.Status500InternalServerError, $"Greeter: {settings.Problem}");
            return;
        }

        var uri = settings.TargetUri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(UpstreamTimeout);
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await ReplyAsync(context, StatusCodes.Status502BadGateway,
                    $"Greeter: GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {OneLine(body)}");
                return;
            }

            await ReplyAsync(context, StatusCodes.Status200OK, $"Greeter got: {body.Trim()}");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody is left to answer.
        }
        catch (OperationCanceledException)
        {
            await ReplyAsync(context, StatusCodes.Status502BadGateway,
                $"Greeter: GET {uri} timed out after {UpstreamTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            await ReplyAsync(context, StatusCodes.Status502BadGateway, $"Greeter: GET {uri} failed: {OneLine(ex.Message)}");
        }
    }

    public void Dispose() => client.Dispose();

    private static Task ReplyAsync(HttpContext context, int status, string line)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(line + "\n", context.RequestAborted);
    }

    // An error must stay one line: newlines flattened, long bodies cut.
    private static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length <= MaxQuotedBody ? flat : flat[..MaxQuotedBody] + "...";
    }
}
