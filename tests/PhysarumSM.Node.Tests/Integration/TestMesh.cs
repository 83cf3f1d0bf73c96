using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// A few real physarum-node processes sharing one PSK and one cluster (the first is the overlay bootstrap
/// and, with localhost clustering, the primary silo), plus an Orleans client for reading grains.
/// </summary>
internal sealed class TestMesh : IAsyncDisposable
{
    public const string Psk = "integration-psk";

    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("physarum-mesh-").FullName;
    private IHost? _client;

    public List<NodeProcess> Nodes { get; } = [];

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>A scratch directory that lives as long as the mesh (data dirs, key files).</summary>
    public string Directory => _directory;

    public string? Redis { get; init; }

    /// <summary>Starts a node; <paramref name="bootstrap"/> defaults to the first node (none for the first).</summary>
    public async Task<NodeProcess> StartNodeAsync(CancellationToken cancellationToken, string? bootstrap = null, string? psk = Psk, NodePorts? ports = null, string? keyName = null, bool waitReady = true, IEnumerable<string>? flags = null)
    {
        ports ??= NodePorts.Allocate();
        int? primary = Redis is not null ? null : Nodes.Count == 0 ? ports.Silo : Nodes[0].Ports.Silo;
        var extra = new List<string>();
        bootstrap ??= Nodes.Count == 0 ? null : Nodes[0].Address;
        if (bootstrap is not null)
        {
            extra.AddRange(["-bootstrap", bootstrap]);
        }

        if (Redis is not null)
        {
            extra.AddRange(["-redis", Redis]);
        }

        extra.AddRange(flags ?? []);
        var keyFile = Path.Combine(_directory, (keyName ?? $"node{Nodes.Count}") + ".key");
        var node = NodeProcess.Start(ports, NodeProcess.Flags(ports, keyFile, primary, psk, [.. extra]));
        Nodes.Add(node);
        if (waitReady)
        {
            await node.WaitReadyAsync(cancellationToken);
        }

        return node;
    }

    /// <summary>An Orleans client connected through the first node's gateway.</summary>
    public async Task<IClusterClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is null)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.UseOrleansClient(client =>
            {
                if (Redis is null)
                {
                    client.UseStaticClustering(Nodes.Select(n => new IPEndPoint(IPAddress.Loopback, n.Ports.Gateway)).ToArray());
                }
                else
                {
                    client.UseRedisClustering(Redis);
                }

                client.Configure<ClusterOptions>(o => { o.ClusterId = "physarum"; o.ServiceId = "physarum"; });
            });
            _client = builder.Build();
            await _client.StartAsync(cancellationToken);
        }

        return _client.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Drops the Orleans client, so the next <see cref="ClientAsync"/> connects afresh (after the cluster's nodes restarted).</summary>
    public async Task ResetClientAsync()
    {
        if (_client is not null)
        {
            await StopClientAsync(_client);
            _client = null;
        }
    }

    /// <summary>Latest gauge value for <paramref name="metric"/> from <paramref name="node"/> towards <paramref name="target"/>.</summary>
    public async Task<double?> GaugeAsync(NodeProcess node, string metric, string target, CancellationToken cancellationToken)
    {
        var samples = await node.ScrapeAsync(Http, cancellationToken);
        return samples.FirstOrDefault(s => s.Name == metric && s.Labels.GetValueOrDefault("targetHost") == target)?.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await StopClientAsync(_client);
        }

        foreach (var node in Enumerable.Reverse(Nodes))
        {
            await node.DisposeAsync();
        }

        Http.Dispose();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private static async Task StopClientAsync(IHost client)
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.StopAsync(stop.Token);
        }
        catch (Exception)
        {
            // The cluster may already be gone.
        }

        client.Dispose();
    }
}
