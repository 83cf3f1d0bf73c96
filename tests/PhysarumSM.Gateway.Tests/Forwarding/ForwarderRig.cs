using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PhysarumSM.Gateway.Forwarding;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Gateway.Tests.Support;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;

namespace PhysarumSM.Gateway.Tests.Forwarding;

/// <summary>
/// A real gateway (Kestrel + <see cref="GatewayForwarder"/> + <see cref="RouteCache"/>) in front of real upstream
/// Kestrel servers on loopback, all "instances" of this node. Only the mesh's resolution is scripted: it answers the
/// routes the test lists, in turn, because the service grain is integration-tested with real nodes elsewhere.
/// </summary>
internal sealed class ForwarderRig : IAsyncDisposable
{
    public const string Node = "self";

    private readonly WebApplication _gateway;
    private readonly Libp2pHost _host;
    private readonly GatewayForwarder _forwarder;

    private ForwarderRig(WebApplication gateway, Libp2pHost host, GatewayForwarder forwarder, RecordingInstances instances, CollectorRegistry registry)
    {
        _gateway = gateway;
        _host = host;
        _forwarder = forwarder;
        Instances = instances;
        Metrics = registry;
        Uri = new Uri(gateway.Urls.First() + "/");
    }

    public Uri Uri { get; }

    public RecordingInstances Instances { get; }

    public CollectorRegistry Metrics { get; }

    /// <summary>Starts the gateway; <paramref name="resolve"/> answers each resolve of a service at once (the n-th call gets n).</summary>
    public static Task<ForwarderRig> StartAsync(Func<string, int, Route> resolve, TimeSpan? coldStartTimeout = null) =>
        StartLaterAsync((service, call) => Task.FromResult(resolve(service, call)), coldStartTimeout);

    /// <summary>Starts the gateway; <paramref name="resolve"/> answers each resolve of a service, possibly later.</summary>
    public static async Task<ForwarderRig> StartLaterAsync(Func<string, int, Task<Route>> resolve, TimeSpan? coldStartTimeout = null)
    {
        var instances = new RecordingInstances();
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var host = new Libp2pHost(IdentityKey.Generate());
        var cache = new RouteCache(new ScriptedResolver(resolve), new LocalOnlyRtt(), Options.Create(new RouteCacheOptions()), NullLogger<RouteCache>.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var forwarder = new GatewayForwarder(
            app.Services.GetRequiredService<IHttpForwarder>(),
            cache,
            new MeshUpstreamDialer(host, Node, instances),
            new GatewayMetrics(registry),
            Options.Create(new GatewayOptions { ColdStartTimeout = coldStartTimeout ?? TimeSpan.FromSeconds(30) }),
            NullLogger<GatewayForwarder>.Instance,
            Node,
            instances);
        app.Run(forwarder.HandleAsync);
        await app.StartAsync();
        return new ForwarderRig(app, host, forwarder, instances, registry);
    }

    /// <summary>A real upstream HTTP server on loopback, registered as instance <paramref name="instanceId"/> of this node.</summary>
    public async Task<WebApplication> AddInstanceAsync(string instanceId, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseWebSockets();
        map(app);
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        Instances.Add(instanceId, new IPEndPoint(IPAddress.Loopback, port));
        return app;
    }

    public static Route RouteOf(string instanceId, string service = "svc") => new(service, instanceId, Node, 0, 0);

    public async ValueTask DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        _forwarder.Dispose();
        await _host.DisposeAsync();
    }

    private sealed class ScriptedResolver(Func<string, int, Task<Route>> resolve) : IRouteResolver
    {
        private int _calls;

        public Task<Route> ResolveAsync(string service, CancellationToken cancellationToken)
        {
            try
            {
                return resolve(service, Interlocked.Increment(ref _calls)).WaitAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                return Task.FromException<Route>(ex);
            }
        }
    }

    private sealed class LocalOnlyRtt : IRttSource
    {
        public double? RttMs(string nodeId) => nodeId == Node ? 0 : null;
    }
}
