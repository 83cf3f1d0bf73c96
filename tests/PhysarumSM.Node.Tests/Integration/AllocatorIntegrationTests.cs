using System.Globalization;
using Docker.DotNet.Models;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>Real physarum-node processes with the allocator role: resolving a service spawns its container on the asked node (issue 5).</summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class AllocatorIntegrationTests
{
    [Fact]
    public async Task Resolving_a_registered_service_starts_its_container_on_the_requesting_node_and_stop_removes_it()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        await using var docker = await DockerEngine.StartAsync(ct);
        await DockerEngine.PublishHelloWorldAsync(ct);
        await using var mesh = new TestMesh();
        var etcd = FreePorts.Take(2);
        var registry = await mesh.StartNodeAsync(ct, flags:
        [
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(mesh.Directory, "registry"),
        ]);
        var worker = await mesh.StartNodeAsync(ct);

        const string service = "alloc-hello";
        var add = await CliProcess.RunAsync(
            ["--bootstrap", registry.Address, "--psk", TestMesh.Psk, "service", "add", "--dir", DockerEngine.HelloWorldDirectory,
             Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"), "physarum-test/hello-world-server:alloc", service], ct);
        Assert.True(add.ExitCode == 0, add.ToString());

        var grains = await mesh.ClientAsync(ct);
        var instance = await grains.GetServiceGrain(service).Resolve(worker.PeerId, ct);
        Assert.Equal(worker.PeerId, instance.NodeId);
        using (var http = new HttpClient())
        {
            Assert.Equal("Hello, world", (await http.GetStringAsync(instance.Endpoint, ct)).Trim());
        }

        var labelled = await docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"physarum.node={worker.PeerId}"] = true } },
        }, ct);
        var container = Assert.Single(labelled);
        Assert.Equal(instance.ContainerId, container.ID);
        Assert.Equal(service, container.Labels["physarum.service"]);

        // The same caller gets the same instance; stopping the instance grain removes its container.
        Assert.Equal(instance.ContainerId, (await grains.GetServiceGrain(service).Resolve(worker.PeerId, ct)).ContainerId);
        await grains.GetInstanceGrain(InstanceKey.Parse(instance.InstanceId)).Stop(ct);
        await Eventually.HoldsAsync(async () => (await docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"physarum.node={worker.PeerId}"] = true } },
        }, ct)).Count == 0, ct, "the container is removed with its instance");
    }
}
