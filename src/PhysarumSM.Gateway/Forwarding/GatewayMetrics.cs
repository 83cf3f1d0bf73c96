using System.Collections.Concurrent;
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
    private readonly ConcurrentDictionary<string, ServiceSeries> _byService = new(StringComparer.Ordinal);

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
        var series = _byService.GetOrAdd(service, static (name, self) => new ServiceSeries(self, name), this);
        series.Requests(statusCode).Inc();
        series.Seconds.Observe(elapsed.TotalSeconds);
    }

    /// <summary>Counts a request that waited for a cold start.</summary>
    public void ColdStart(string service) => _coldStarts.WithLabels(service).Inc();

    // One service's children, looked up once: WithLabels hashes and allocates its label values on every call.
    private sealed class ServiceSeries(GatewayMetrics metrics, string service)
    {
        private static readonly int[] CommonCodes = [200, 204, 404, 500, 502, 503, 504];
        private readonly Counter.Child?[] _common = new Counter.Child?[CommonCodes.Length];
        private readonly ConcurrentDictionary<int, Counter.Child> _other = new();

        public Histogram.Child Seconds { get; } = metrics._seconds.WithLabels(service);

        public Counter.Child Requests(int code)
        {
            var index = Array.IndexOf(CommonCodes, code);
            return index < 0
                ? _other.GetOrAdd(code, static (c, self) => self.Create(c), this)
                : _common[index] ??= Create(code);   // a race creates the same child twice: WithLabels returns the one series
        }

        private Counter.Child Create(int code) =>
            metrics._requests.WithLabels(service, code.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
