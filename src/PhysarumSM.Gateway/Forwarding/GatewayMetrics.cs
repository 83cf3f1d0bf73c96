using Prometheus;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>
/// The gateway's Prometheus series (names as issue 6 fixes them), in the registry the host serves at <c>/metrics</c>.
/// Why unknown services share one label value: a request path is user input, and one series per typo would grow without bound.
/// </summary>
public sealed class GatewayMetrics
{
    /// <summary>The <c>service</c> label of requests for services that are not registered.</summary>
    public const string UnknownService = "(unknown)";

    private readonly Counter _requests;
    private readonly Histogram _seconds;
    private readonly Counter _coldStarts;

    /// <summary>Creates the series in <paramref name="registry"/>.</summary>
    public GatewayMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _requests = factory.CreateCounter("physarum_proxy_requests_total", "Requests through this gateway by service and HTTP status code.", "service", "code");
        _seconds = factory.CreateHistogram(
            "physarum_proxy_request_seconds",
            "Time from a request's arrival at this gateway until its response ended (cold starts included).",
            new HistogramConfiguration { LabelNames = ["service"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 18) });
        _coldStarts = factory.CreateCounter("physarum_cold_starts_total", "Requests that waited for their service's instance to start.", "service");
    }

    /// <summary>Counts a finished request.</summary>
    public void Request(string service, int statusCode, TimeSpan elapsed)
    {
        _requests.WithLabels(service, StatusText(statusCode)).Inc();
        _seconds.WithLabels(service).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Counts a request that waited for a cold start.</summary>
    public void ColdStart(string service) => _coldStarts.WithLabels(service).Inc();

    // The common codes without an allocation per request.
    private static string StatusText(int code) => code switch
    {
        200 => "200",
        204 => "204",
        404 => "404",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
