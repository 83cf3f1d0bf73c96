using System.Globalization;
using System.Net;
using System.Net.Http;
using dotnet_etcd;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace PhysarumSM.Registry.Client;

/// <summary>
/// The etcd client URLs one component talks to, and the one way this project opens a client to them and runs a call.
/// Why shared: the storage and the membership API must fail over, time out and report errors the same way.
/// </summary>
internal sealed class EtcdEndpoints
{
    private readonly TimeSpan _callTimeout;
    private readonly TimeSpan _connectTimeout;

    public EtcdEndpoints(IReadOnlyList<string> urls, TimeSpan callTimeout, TimeSpan connectTimeout)
    {
        if (urls.Count == 0)
        {
            throw new ArgumentException("no etcd endpoints given: pass -etcd-endpoints or start a member with -new-etcd-cluster", nameof(urls));
        }

        Urls = urls.ToArray();
        _callTimeout = callTimeout;
        _connectTimeout = connectTimeout;
    }

    public IReadOnlyList<string> Urls { get; }

    public string Description => string.Join(", ", Urls);

    /// <summary>
    /// A client over every endpoint, round robin among the reachable ones. gRPC retries a call on Unavailable;
    /// every call also has its own deadline, so a dead cluster fails within it.
    /// </summary>
    public EtcdClient CreateClient() =>
        new(string.Join(',', Urls), configureChannelOptions: options =>
        {
            options.ServiceConfig = new ServiceConfig
            {
                LoadBalancingConfigs = { new RoundRobinConfig() },
                MethodConfigs =
                {
                    new MethodConfig
                    {
                        Names = { MethodName.Default },
                        RetryPolicy = new RetryPolicy
                        {
                            MaxAttempts = 5,
                            InitialBackoff = TimeSpan.FromMilliseconds(200),
                            MaxBackoff = TimeSpan.FromSeconds(1),
                            BackoffMultiplier = 2,
                            RetryableStatusCodes = { StatusCode.Unavailable },
                        },
                    },
                },
            };
            // A member that comes back (restarted etcd, healed network) is used again within a second or two, not
            // after gRPC's default reconnect backoff of up to two minutes.
            options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(200);
            options.MaxReconnectBackoff = TimeSpan.FromSeconds(2);
            if (options.HttpHandler is SocketsHttpHandler sockets)
            {
                sockets.ConnectTimeout = _connectTimeout;
            }
        });

    /// <summary>Runs one etcd call under the configured deadline; any gRPC failure becomes <see cref="EtcdUnavailableException"/>.</summary>
    public async Task<T> CallAsync<T>(string what, Func<DateTime, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(DateTime.UtcNow + _callTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(what, ex.StatusCode, ex.Status.Detail, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline, surfaced as cancellation by the channel rather than as DeadlineExceeded.
            throw Unavailable(what, StatusCode.DeadlineExceeded, "no answer in time", ex);
        }
    }

    public EtcdUnavailableException Unavailable(string what, StatusCode code, string detail, Exception? inner = null)
    {
        var hint = code is StatusCode.Unavailable or StatusCode.DeadlineExceeded
            ? $"is etcd running there, with a quorum of its members? (timeout {_callTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)"
            : "etcd refused the request";
        return new EtcdUnavailableException($"etcd at {Description} could not {what}: {code} ({detail}); {hint}", Urls, code, inner);
    }

    /// <summary>
    /// Normalises <c>-etcd-endpoints</c> style input: comma-separated, scheme and port optional
    /// (<c>10.0.0.5</c> becomes <c>http://10.0.0.5:2379</c>).
    /// </summary>
    public static IReadOnlyList<string> Parse(string commaSeparated, int defaultPort)
    {
        var urls = new List<string>();
        foreach (var part in commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var text = part.Contains("://", StringComparison.Ordinal) ? part : "http://" + part;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw new FormatException($"'{part}' is not an etcd endpoint: use http://HOST:PORT, HOST:PORT or HOST");
            }

            var port = uri.IsDefaultPort && !HasExplicitPort(part) ? defaultPort : uri.Port;
            var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.DnsSafeHost}]" : uri.DnsSafeHost;
            urls.Add(string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{host}:{port}"));
        }

        return urls;
    }

    /// <summary>An URL with the host part as etcd wants it (IPv6 in brackets).</summary>
    public static string Url(string ip, int port)
    {
        var host = IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]"
            : ip;
        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}");
    }

    private static bool HasExplicitPort(string part)
    {
        var authority = part.Contains("://", StringComparison.Ordinal) ? part[(part.IndexOf("://", StringComparison.Ordinal) + 3)..] : part;
        authority = authority.Split('/')[0];
        var close = authority.LastIndexOf(']');
        return authority.LastIndexOf(':') > close;
    }
}
