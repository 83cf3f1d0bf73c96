using System.Diagnostics;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>One request of a <see cref="RequestLoop"/>: when it started and ended (Stopwatch ticks), where, and how it ended.</summary>
internal sealed record LoopOutcome(long Started, long Ended, Uri Url, int Status, string? Error)
{
    /// <summary>A 200 with the expected body.</summary>
    public bool Succeeded => Status == 200 && Error is null;
}

/// <summary>
/// A bounded closed-loop load for failure tests: a few workers, each sending its next GET when the previous one ended
/// (plus a short pause), round-robin over the URLs, every outcome recorded with its start and end. Why closed and paced:
/// on 2 cores an open loop would measure the machine, not the mesh; and "only requests in flight failed" needs to know
/// exactly which requests were in flight when.
/// </summary>
internal sealed class RequestLoop : IAsyncDisposable
{
    private readonly HttpClient _http;
    private volatile IReadOnlyList<Uri> _urls;
    private readonly string _expectedBody;
    private readonly TimeSpan _pause;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<LoopOutcome> _outcomes = [];
    private readonly Task[] _workers;

    private RequestLoop(IReadOnlyList<Uri> urls, int workers, string expectedBody, TimeSpan pause, TimeSpan requestTimeout)
    {
        _urls = urls;
        _expectedBody = expectedBody;
        _pause = pause;
        // Why no connection reuse limit: a gateway keeps connections alive; what the test measures is the mesh behind it.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = requestTimeout };
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(() => RunAsync(w))).ToArray();
    }

    /// <summary>Every outcome so far, in completion order.</summary>
    public IReadOnlyList<LoopOutcome> Outcomes
    {
        get
        {
            lock (_outcomes)
            {
                return [.. _outcomes];
            }
        }
    }

    /// <summary>Replaces the URLs the workers take their next requests from (a gateway going down or coming back).</summary>
    public void SetUrls(IReadOnlyList<Uri> urls)
    {
        ArgumentOutOfRangeException.ThrowIfZero(urls.Count);
        _urls = urls;
    }

    /// <summary>Starts <paramref name="workers"/> workers over <paramref name="urls"/>.</summary>
    public static RequestLoop Start(IReadOnlyList<Uri> urls, int workers, string expectedBody, TimeSpan? pause = null, TimeSpan? requestTimeout = null) =>
        new(urls, workers, expectedBody, pause ?? TimeSpan.FromMilliseconds(20), requestTimeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Stops sending, waits for the requests in flight to end, and returns every outcome.</summary>
    public async Task<IReadOnlyList<LoopOutcome>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return Outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(int worker)
    {
        for (var i = worker; !_stop.IsCancellationRequested; i++)
        {
            var urls = _urls;
            var url = urls[i % urls.Count];
            var started = Stopwatch.GetTimestamp();
            int status = 0;
            string? error = null;
            try
            {
                // Not cancelled by Stop: a request in flight finishes, so its outcome is real.
                using var response = await _http.GetAsync(url, CancellationToken.None);
                status = (int)response.StatusCode;
                var body = (await response.Content.ReadAsStringAsync(CancellationToken.None)).Trim();
                if (status != 200)
                {
                    error = body.Length > 300 ? body[..300] : body;
                }
                else if (body != _expectedBody)
                {
                    error = $"unexpected body '{(body.Length > 100 ? body[..100] : body)}'";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
            }

            lock (_outcomes)
            {
                _outcomes.Add(new LoopOutcome(started, Stopwatch.GetTimestamp(), url, status, error));
            }

            try
            {
                await Task.Delay(_pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
