using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PhysarumSM.Grains;
using PhysarumSM.Grains.Registry;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Gateway.Forwarding;
using PhysarumSM.Node.Gateway;
using PhysarumSM.Node.Registry;
using PhysarumSM.Registry.Cluster;
using PhysarumSM.Registry.Hosting;
using PhysarumSM.Registry.Storage;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Node.Admin;
using PhysarumSM.Node.Cluster;
using PhysarumSM.Node.Configuration;
using PhysarumSM.Node.Monitoring;
using PhysarumSM.Node.Overlay;
using Orleans.Dashboard;
using Prometheus;

namespace PhysarumSM.Node.Hosting;

/// <summary>
/// Composes the node: identity, libp2p host, overlay services, Orleans silo, metrics endpoint. Why the
/// listen sockets are opened before the generic host is built: a busy port or unreadable key must end the
/// process with a message naming the flag, not a stack trace from deep inside a hosted service.
/// </summary>
public static class NodeApplication
{
    public static async Task<int> RunAsync(NodeOptions options, CancellationToken cancellationToken = default)
    {
        using var bootLogging = CreateLoggerFactory(options);
        var log = bootLogging.CreateLogger("physarum-node");

        IdentityKey identity;
        try
        {
            identity = options.Ephemeral ? IdentityKey.Generate() : KeyFile.LoadOrCreate(options.KeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"physarum-node: -keyfile {options.KeyFile}: {ex.Message}");
            return 1;
        }

        X509Certificate2? clusterCertificate;
        try
        {
            clusterCertificate = options.ClusterCertificate is { } certificatePath
                ? ClusterCertificate.Load(certificatePath, options.ClusterCertificatePassword, DateTimeOffset.UtcNow)
                : null;
        }
        catch (ClusterCertificateException ex)
        {
            Console.Error.WriteLine($"physarum-node: {ex.Message}");
            return 1;
        }

        using var ownedCertificate = clusterCertificate;

        var libp2p = new Libp2pHost(identity, new Libp2pHostOptions
        {
            PreSharedKey = options.Psk is null ? null : PreSharedKey.FromPassphrase(options.Psk),
        }, bootLogging);

        try
        {
            libp2p.Listen(NodeCommandLine.ToListenMultiaddr(options.P2pListenAddress, "-p2p-listen-addr"));
        }
        catch (Exception ex) when (ex is IOException or ArgumentException)
        {
            Console.Error.WriteLine($"physarum-node: -p2p-listen-addr {options.P2pListenAddress}: {ex.Message}; choose a free port with -p2p-listen-addr HOST:PORT");
            await libp2p.DisposeAsync();
            return 1;
        }

        Console.WriteLine($"peer id: {libp2p.PeerId}");
        foreach (var address in libp2p.ListenAddresses)
        {
            Console.WriteLine($"listening: {address.WithPeerId(libp2p.PeerId)}");
        }

        var bridge = options.NoAllocator ? null : await DockerBridgeAddressAsync(log, cancellationToken);
        var allocator = bridge is not null;

        WebApplication app;
        try
        {
            app = Build(options, identity, libp2p, bridge, clusterCertificate);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"physarum-node: {ex.Message}");
            await libp2p.DisposeAsync();
            return 2;
        }

        // Said before the silo starts: Orleans retries a join for minutes, and this names what it is waiting for.
        var primary = options.PrimarySilo ?? DefaultPrimarySilo;
        if (options.Redis is null && !IsSelf(primary, options.SiloPort))
        {
            log.LogInformation("localhost clustering: joining the primary silo at {Primary} (-primary-silo; the first node on this machine must be running)", primary);
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"physarum-node: could not start: {Explain(ex, options)}");
            log.LogDebug(ex, "startup failure");
            await app.DisposeAsync();
            return 1;
        }

        if (AdminListener.From(options) is { } admin)
        {
            Console.WriteLine($"admin: {admin.Url}");
        }

        if (clusterCertificate is not null)
        {
            Console.WriteLine($"orleans tls: {clusterCertificate.Subject}, sha-256 {ClusterCertificate.Fingerprint(clusterCertificate)}");
        }

        Console.WriteLine("physarum-node ready");
        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }

    /// <param name="bridge">The host's address on the Docker bridge (PROXY_IP for containers) when the allocator role is on, else null.</param>
    /// <param name="clusterCertificate">The <c>-cluster-cert</c> certificate (Orleans connections use mutual TLS), else null.</param>
    private static WebApplication Build(NodeOptions options, IdentityKey identity, Libp2pHost libp2p, string? bridge, X509Certificate2? clusterCertificate)
    {
        var allocator = bridge is not null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(options.Debug ? LogLevel.Debug : LogLevel.Information);
        if (!options.Debug)
        {
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddFilter("Polly", LogLevel.Warning);
            // YARP logs two Information lines per proxied request: measured at ~0.9 ms of node CPU per request, plus
            // whoever reads the console (bench gateway, run 1). The gateway logs its own failures at Warning.
            builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        }

        var (promHost, promPort) = NodeCommandLine.SplitHostPort(options.PromListenAddress, "-prom-listen-addr");
        var (proxyHost, proxyPort) = NodeCommandLine.SplitHostPort(options.ProxyListenAddress, "-proxy-listen-addr");
        var proxyEndPoint = ToEndPoint(proxyHost, proxyPort, "-proxy-listen-addr");
        var admin = AdminListener.From(options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (admin is not null)
            {
                k.Listen(admin.EndPoint);
            }

            k.Listen(ToEndPoint(promHost, promPort, "-prom-listen-addr"));
            k.Listen(proxyEndPoint);
            // Containers call other services at PROXY_IP:PROXY_PORT, the host's bridge address; a gateway bound to
            // loopback only would be out of their reach.
            if (bridge is not null && !proxyEndPoint.Address.Equals(IPAddress.Any) && !proxyEndPoint.Address.ToString().Equals(bridge, StringComparison.Ordinal))
            {
                k.Listen(IPAddress.Parse(bridge), proxyPort);
            }
        });

        var registry = Metrics.NewCustomRegistry();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new NodeRoleSet(allocator));
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(libp2p);
        builder.Services.AddSingleton<CollectorRegistry>(registry);
        builder.Services.AddSingleton(new BootstrapOptions { Bootstraps = options.Bootstraps.ToList() });
        builder.Services.AddSingleton(new PeerExchangeOptions());
        builder.Services.AddSingleton(new PingMonitorOptions());
        builder.Services.AddSingleton<BootstrapConnector>();
        builder.Services.AddSingleton<PeerExchange>();
        builder.Services.AddSingleton(sp => new PingMonitor(
            libp2p, sp.GetRequiredService<PingMonitorOptions>(), options.Hostname, registry, sp.GetRequiredService<ILogger<PingMonitor>>()));
        builder.Services.AddSingleton<Registry.RegistryProtocolHandler>();
        builder.Services.AddHostedService<OverlayService>();
        builder.Services.AddNodeGateway(options, libp2p, allocator, registry);
        builder.Services.AddPhysarumAdmin();

        var registryEndpoints = ConfigureRegistry(builder, options, libp2p);

        var cluster = new NodeClusterOptions
        {
            SiloPort = options.SiloPort,
            GatewayPort = options.GatewayPort,
            RedisConnectionString = options.Redis,
            AdvertisedAddress = options.AdvertiseIp,
            Certificate = clusterCertificate,
            // With Redis an explicit -primary-silo is an error the cluster plan reports; locally the default
            // primary is 127.0.0.1:11111, and the primary itself points at nobody.
            PrimarySiloEndpoint = options.Redis is not null ? options.PrimarySilo
                : IsSelf(options.PrimarySilo ?? DefaultPrimarySilo, options.SiloPort) ? null
                : options.PrimarySilo ?? DefaultPrimarySilo,
        };
        builder.UseOrleans(silo =>
        {
            silo.UsePhysarumClustering(cluster).AddPhysarumGrains().AddPhysarumNode(libp2p.PeerId.ToString());
            silo.AddDashboard(); // on every silo, admin listener or not: the Orleans Dashboard of any node shows them all
            if (allocator)
            {
                silo.AddPhysarumAllocator(o =>
                {
                    o.IdleTimeout = options.IdleTimeout;
                    o.WarmPoolTtl = options.WarmPoolTtl;
                    o.MaxInstances = options.MaxInstances;
                    o.CpuCores = options.Cpus;
                    o.MemoryMiB = options.MemoryMiB;
                    o.ProxyIp = bridge;
                    o.ProxyPort = proxyPort;
                    o.Psk = options.Psk ?? "";
                    o.Bootstraps = libp2p.ListenAddresses.Select(a => a.WithPeerId(libp2p.PeerId).ToString()).ToList();
                });
            }

            if (registryEndpoints is null)
            {
                silo.WithoutRegistryGrains();
            }
            else
            {
                silo.AddPhysarumRegistry(o => o.Endpoints = [.. registryEndpoints]);
            }
        });
        builder.Services.AddHostedService<NodeRegistrationService>();

        var app = builder.Build();
        app.UsePhysarumGateway(proxyPort);
        app.UseRouting();   // after the gateway: left implicit, endpoint matching would run first on every proxied request
        app.MapMetrics("/metrics", registry);
        if (admin is not null)
        {
            app.MapPhysarumAdmin(admin, options.AdminToken);
        }

        return app;
    }

    /// <summary>
    /// The registry role: an etcd that is already running (-etcd-endpoints), a new etcd cluster
    /// (-new-etcd-cluster -etcd-ip), or a member joining the registry of a bootstrap (-etcd-ip alone).
    /// Returns the etcd endpoints this silo's registry grains use, or null when this node has no registry.
    /// </summary>
    private static IReadOnlyList<string>? ConfigureRegistry(WebApplicationBuilder builder, NodeOptions options, Libp2pHost libp2p)
    {
        if (options.EtcdEndpoints is { } endpoints)
        {
            return EtcdStorageOptions.ParseEndpoints(endpoints);
        }

        if (options.NewEtcdCluster && options.EtcdIp is null)
        {
            throw new ArgumentException("-new-etcd-cluster needs -etcd-ip IP: the address other nodes reach this machine's etcd at (127.0.0.1 on one machine)");
        }

        if (options.EtcdIp is null)
        {
            return null;
        }

        var member = new EtcdMemberOptions
        {
            Name = libp2p.PeerId.ToString(),
            Ip = options.EtcdIp,
            ClientPort = options.EtcdClientPort,
            PeerPort = options.EtcdPeerPort,
            DataDirectory = options.DataDirectory,
            NewCluster = options.NewEtcdCluster,
        };
        if (!options.NewEtcdCluster)
        {
            builder.Services.AddSingleton<IEtcdMemberJoiner>(new OverlayMemberJoiner(libp2p, options.Bootstraps));
        }

        // Before UseOrleans: hosted services start in order, so etcd is healthy before the silo needs it.
        builder.Services.AddEtcdMember(o =>
        {
            o.Name = member.Name;
            o.Ip = member.Ip;
            o.ClientPort = member.ClientPort;
            o.PeerPort = member.PeerPort;
            o.DataDirectory = member.DataDirectory;
            o.NewCluster = member.NewCluster;
        });
        return [member.ClientUrl];
    }

    /// <summary>
    /// The allocator role needs a Docker engine; without one the node says so and runs without the role. Returns the
    /// host's address on the engine's bridge network (what containers get as PROXY_IP), or null when the role is off.
    /// </summary>
    private static async Task<string?> DockerBridgeAddressAsync(ILogger log, CancellationToken cancellationToken)
    {
        var connector = new DockerEngineConnector();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var client = await connector.ConnectAsync(timeout.Token);
            return await new ContainerRuntime(client, new ContainerRuntimeOptions()).GetGatewayAddressAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is DockerEngineUnavailableException or OperationCanceledException or InvalidOperationException)
        {
            log.LogWarning("allocator role off: {Reason}", ex.Message);
            return null;
        }
    }

    private const string DefaultPrimarySilo = "127.0.0.1:11111";

    private static bool IsSelf(string primary, int siloPort)
    {
        var (host, port) = NodeCommandLine.SplitHostPort(primary, "-primary-silo");
        return port == siloPort && (host is "127.0.0.1" or "localhost" or "0.0.0.0");
    }

    private static IPEndPoint ToEndPoint(string host, int port, string flag) =>
        IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port)
        : host == "localhost" ? new IPEndPoint(IPAddress.Loopback, port)
        : throw new ArgumentException($"{flag} host '{host}' must be an IP address");

    /// <summary>Names the flag behind the usual startup failures.</summary>
    internal static string Explain(Exception ex, NodeOptions options)
    {
        var inner = ex;
        while (inner.InnerException is not null && inner is not SocketException)
        {
            inner = inner.InnerException;
        }

        var text = ex.Message;
        if (text.Contains("address already in use", StringComparison.OrdinalIgnoreCase) || inner is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
        {
            return $"{text} — a port is taken: check -prom-listen-addr ({options.PromListenAddress}), -proxy-listen-addr ({options.ProxyListenAddress}), -admin-listen-addr ({options.AdminListenAddress}), -silo-port ({options.SiloPort}) and -gateway-port ({options.GatewayPort}); another physarum-node may be running";
        }

        // Localhost clustering joins the first node's silo; Orleans' own message names the endpoint, not the flag or the fix.
        var primary = options.PrimarySilo ?? DefaultPrimarySilo;
        if (options.Redis is null && !IsSelf(primary, options.SiloPort)
            && (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused } || text.Contains("Unable to connect to endpoint", StringComparison.Ordinal)))
        {
            return $"no primary silo answered at {primary} (-primary-silo, default 127.0.0.1:11111: the first node on this machine, " +
                "which this node joins). Start that node first; or, if this node is the first one, keep -silo-port at 11111 " +
                $"or pass -primary-silo 127.0.0.1:{options.SiloPort} (its own silo port). ({inner.Message})";
        }

        return inner == ex ? text : $"{text} ({inner.Message})";
    }

    private static ILoggerFactory CreateLoggerFactory(NodeOptions options) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
        .SetMinimumLevel(options.Debug ? LogLevel.Debug : LogLevel.Information));
}
