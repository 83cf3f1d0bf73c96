using System.Globalization;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;
using PhysarumSM.TestKit;

namespace PhysarumSM.Client.Tests.RealNode;

/// <summary>
/// One real physarum-node with every role (its own etcd, the Docker engine), short idle timeout and no warm pool so
/// culls happen during a test; the HelloWorld image built under a tag of this run; and an application host with
/// <c>AddPhysarumClient</c> on the node's Orleans gateway, exactly as an integrator would set it up.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-client-").FullName;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..10];
    private DockerEngine? _docker;
    private IHost? _clientHost;
    private string _tag = "";

    public NodeProcess Node { get; private set; } = null!;

    /// <summary>The HelloWorld image id (what a service's DockerHash names).</summary>
    public string Image { get; private set; } = "";

    public IPhysarumClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        _docker = await DockerEngine.StartAsync(ct);
        var sample = await DockerEngine.PublishHelloWorldAsync(ct);
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(sample, "image-conf.json"), sample, ct);
        _tag = $"physarum-test/client-hello:{_runId}";
        Image = (await new ImageBuilder(_docker.Client).BuildAsync(new ImageBuildRequest { Config = config, Tag = _tag, ContentId = "client-tests" }, cancellationToken: ct)).ImageId;

        var ports = NodePorts.Allocate();
        var etcd = FreePorts.Take(2);
        Node = NodeProcess.Start(ports, NodeProcess.Flags(ports, Path.Combine(_directory, "node.key"), ports.Silo, "client-tests-psk",
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(_directory, "data"),
            "-idle-timeout", "3s", "-warm-pool-ttl", "0"));
        await Node.WaitReadyAsync(ct);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddPhysarumClient(o =>
        {
            o.Gateways = [$"127.0.0.1:{ports.Gateway}"];
            o.EventPollInterval = TimeSpan.FromMilliseconds(200);
        });
        _clientHost = builder.Build();
        await _clientHost.StartAsync(ct);
        Client = _clientHost.Services.GetRequiredService<IPhysarumClient>();

        // The node publishes itself (with its gateway URL) on its first heartbeat; calls through the mesh need that.
        await Eventually.HoldsAsync(
            async () => (await Client.NodesAsync(ct)).Any(n => n.Info.PeerId == Node.PeerId && n.Info.GatewayUrl.Length > 0),
            ct, "the node is listed with its gateway URL");
    }

    public async Task DisposeAsync()
    {
        if (_clientHost is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _clientHost.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            _clientHost.Dispose();
        }

        var peerId = Node is null ? null : Node.Lines.Any(l => l.StartsWith("listening: /ip4/127.0.0.1/", StringComparison.Ordinal)) ? Node.PeerId : null;
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (_docker is not null)
        {
            // Whatever a failed test left running must not leak into later runs.
            if (peerId is not null)
            {
                var containers = await _docker.Client.Containers.ListContainersAsync(new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"physarum.node={peerId}"] = true } },
                });
                foreach (var container in containers)
                {
                    await _docker.Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
                }
            }

            if (_tag.Length > 0)
            {
                try
                {
                    await _docker.Client.Images.DeleteImageAsync(_tag, new ImageDeleteParameters { Force = true });
                }
                catch (Docker.DotNet.DockerImageNotFoundException)
                {
                }
            }

            await _docker.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Tests on the real node run one after another, never beside other tests that start processes or containers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "client on a real physarum-node";
}
