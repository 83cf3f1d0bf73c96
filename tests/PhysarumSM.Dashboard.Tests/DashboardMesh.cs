using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Docker.DotNet.Models;
using PhysarumSM.TestKit;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>
/// Two real nodes shared by every test of the collection: <see cref="Registry"/> (etcd member, allocator, admin token)
/// and <see cref="Observer"/> (no allocator, no admin token), on the real Docker engine with the HelloWorld image
/// published. Why shared: each start costs etcd, a silo and a cold image build; every test uses its own service names.
/// </summary>
public sealed class DashboardMesh : IAsyncLifetime
{
    public const string Psk = "dashboard-psk";

    /// <summary>The registry node's -admin-token.</summary>
    public const string AdminToken = "dashboard-test-token";

    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-dashboard-").FullName;
    private readonly List<NodeProcess> _nodes = [];
    private DockerEngine? _docker;

    /// <summary>Registry, allocator, bootstrap and primary silo; its admin actions need <see cref="AdminToken"/>.</summary>
    public NodeProcess Registry => _nodes[0];

    /// <summary>A second node without the allocator role and without an admin token (its actions answer 403).</summary>
    public NodeProcess Observer => _nodes[1];

    /// <summary>Long enough for a cold start through the gateway.</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        _docker = await DockerEngine.StartAsync(ct);
        await DockerEngine.PublishHelloWorldAsync(ct);
        var etcd = FreePorts.Take(2);
        await StartNodeAsync("registry", ct,
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(_directory, "registry"),
            "-admin-token", AdminToken,
            // Instances stay until a test culls them, and a culled container goes at once (no warm pool).
            "-idle-timeout", "10m", "-warm-pool-ttl", "0");
        await StartNodeAsync("observer", ct, "-no-allocator");
    }

    /// <summary>Builds the HelloWorld image with the CLI and registers it as <paramref name="service"/>.</summary>
    public async Task AddHelloWorldAsync(string service, CancellationToken ct)
    {
        var directory = DockerEngine.HelloWorldDirectory;
        var add = await CliProcess.RunAsync(
            ["--bootstrap", Registry.Address, "--psk", Psk, "service", "add", "--dir", directory,
             Path.Combine(directory, "image-conf.json"), $"physarum-test/helloworld:{service}", service], ct);
        Assert.True(add.ExitCode == 0, add.ToString());
    }

    /// <summary>One request through <paramref name="node"/>'s gateway (cold start included); returns the body.</summary>
    public Task<string> RequestThroughGatewayAsync(NodeProcess node, string service, CancellationToken ct) =>
        Http.GetStringAsync(new Uri(node.Ports.ProxyUri, $"{service}/"), ct);

    /// <summary>GET an admin API route of <paramref name="node"/>; asserts 200 and returns the JSON body.</summary>
    public async Task<JsonElement> GetAsync(NodeProcess node, string route, CancellationToken ct)
    {
        var (status, body) = await SendAsync(node, HttpMethod.Get, route, token: null, ct);
        Assert.True(status == 200, $"GET {route}: {status} {body}");
        return body;
    }

    /// <summary>Sends an admin API request, with <c>Authorization: Bearer</c> when <paramref name="token"/> is given.</summary>
    public async Task<(int Status, JsonElement Body)> SendAsync(NodeProcess node, HttpMethod method, string route, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(node.Ports.AdminUri, route));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Http.SendAsync(request, ct);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return ((int)response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>Every container (any state) carrying <paramref name="label"/>=<paramref name="value"/>.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync(string label, string value, CancellationToken ct) =>
        await _docker!.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } },
        }, ct);

    public async Task DisposeAsync()
    {
        var peers = _nodes.Select(n => n.PeerId).ToList();
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }

        if (_docker is not null)
        {
            // Whatever a failed test left behind must not leak into other test runs.
            foreach (var peer in peers)
            {
                foreach (var container in await ContainersAsync("physarum.node", peer, CancellationToken.None))
                {
                    await _docker.Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
                }
            }

            await _docker.DisposeAsync();
        }

        Http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task StartNodeAsync(string name, CancellationToken ct, params string[] flags)
    {
        var ports = NodePorts.Allocate();
        var first = _nodes.FirstOrDefault();
        string[] extra = first is null ? flags : ["-bootstrap", first.Address, .. flags];
        var node = NodeProcess.Start(ports, NodeProcess.Flags(ports, Path.Combine(_directory, $"{name}.key"), first?.Ports.Silo ?? ports.Silo, Psk, extra));
        _nodes.Add(node);
        await node.WaitReadyAsync(ct);
    }
}

/// <summary>Every test that uses node processes: one mesh, never two tests at once.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardMesh>
{
    public const string Name = "dashboard mesh";
}
