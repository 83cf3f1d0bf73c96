using System.Globalization;
using Docker.DotNet.Models;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// What every allocator test needs: the real Docker engine with the HelloWorld image published, a <see cref="TestMesh"/>
/// whose first node runs the registry (its own etcd), and helpers to register services and read containers by label.
/// </summary>
internal sealed class AllocatorMesh : IAsyncDisposable
{
    private AllocatorMesh(DockerEngine docker, TestMesh mesh)
    {
        Docker = docker;
        Mesh = mesh;
    }

    public DockerEngine Docker { get; }

    public TestMesh Mesh { get; }

    /// <summary>The registry node (etcd member, overlay bootstrap, primary silo).</summary>
    public NodeProcess Registry => Mesh.Nodes[0];

    /// <summary>The registry node's flags, so a test can restart it on the same data.</summary>
    public List<string> RegistryFlags { get; } = [];

    public static Task<AllocatorMesh> StartAsync(CancellationToken ct, params string[] registryFlags) => StartWithRedisAsync(ct, redis: null, registryPorts: null, registryFlags);

    /// <summary>
    /// As <see cref="StartAsync(CancellationToken, string[])"/>; with <paramref name="redis"/>, every node's membership is in
    /// that Redis, and the registry node runs on <paramref name="registryPorts"/> when given (so its flags can name them).
    /// Why another name: an overload taking a string first would swallow a flag such as "-no-allocator" as the address.
    /// </summary>
    public static async Task<AllocatorMesh> StartWithRedisAsync(CancellationToken ct, string? redis, NodePorts? registryPorts, params string[] registryFlags)
    {
        await EtcdServer.EnsureInstalledAsync(ct);
        var docker = await DockerEngine.StartAsync(ct);
        await DockerEngine.PublishHelloWorldAsync(ct);
        var result = new AllocatorMesh(docker, new TestMesh { Redis = redis });
        var etcd = FreePorts.Take(2);
        result.RegistryFlags.AddRange(
        [
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(result.Mesh.Directory, "registry"),
            .. registryFlags,
        ]);
        await result.Mesh.StartNodeAsync(ct, ports: registryPorts, keyName: "registry", flags: result.RegistryFlags);
        return result;
    }

    /// <summary>Builds the HelloWorld image with the CLI and registers it as <paramref name="service"/>; returns the record.</summary>
    public Task<ServiceRecord> AddHelloWorldAsync(string service, CancellationToken ct) => AddServiceAsync(DockerEngine.HelloWorldDirectory, service, ct);

    /// <summary>Builds the sample in <paramref name="directory"/> (its image-conf.json) with the CLI and registers it as <paramref name="service"/>.</summary>
    public async Task<ServiceRecord> AddServiceAsync(string directory, string service, CancellationToken ct)
    {
        var add = await CliProcess.RunAsync(
            ["--bootstrap", Registry.Address, "--psk", TestMesh.Psk, "service", "add", "--dir", directory,
             Path.Combine(directory, "image-conf.json"), $"physarum-test/{Path.GetFileName(directory).ToLowerInvariant()}:{service}", service], ct);
        Assert.True(add.ExitCode == 0, add.ToString());
        var grains = await Mesh.ClientAsync(ct);
        return await grains.GetServiceGrain(service).Get(ct) ?? throw new InvalidOperationException($"{service} was added but is not registered");
    }

    /// <summary>Registers another service on an image that already exists, with its own requirements.</summary>
    public async Task RegisterAsync(PhysarumSM.Contracts.Registry.ServiceInfo info, CancellationToken ct)
    {
        var grains = await Mesh.ClientAsync(ct);
        await grains.GetServiceGrain(info.Name).Register(info, cancellationToken: ct);
    }

    /// <summary>Every container (any state) carrying <paramref name="label"/>=<paramref name="value"/>.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync(string label, string value, CancellationToken ct) =>
        await Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } },
        }, ct);

    /// <summary>A metric's value on <paramref name="node"/> for the series with exactly these label values (others ignored); null when absent.</summary>
    public async Task<double?> MetricAsync(NodeProcess node, string name, CancellationToken ct, params (string Label, string Value)[] labels)
    {
        var samples = await node.ScrapeAsync(Mesh.Http, ct);
        return samples.FirstOrDefault(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value))?.Value;
    }

    public async ValueTask DisposeAsync()
    {
        var nodes = Mesh.Nodes.Select(n => n.PeerId).Distinct().ToList();
        await Mesh.DisposeAsync();

        // Whatever a failed test left behind must not leak into the next one (the nodes' own sweep runs only on their start).
        foreach (var node in nodes)
        {
            foreach (var container in await ContainersAsync("physarum.node", node, CancellationToken.None))
            {
                await Docker.Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
            }
        }

        await Docker.DisposeAsync();
    }
}
