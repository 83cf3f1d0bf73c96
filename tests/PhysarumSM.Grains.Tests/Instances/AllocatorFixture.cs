using Orleans.TestingHost;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.TestKit;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>
/// The real Docker engine, the HelloWorld image under a tag of its own, and two allocator clusters: two nodes with a long
/// idle timeout, and one node with a short one for culling. Every container they start carries <see cref="RunLabel"/>
/// and is removed at the end, with the image.
/// </summary>
public sealed class AllocatorFixture : IAsyncLifetime
{
    /// <summary>The label marking this fixture's containers.</summary>
    public const string RunLabel = "physarum.test-run";

    /// <summary>The registered service every test runs.</summary>
    public const string Service = "hello";

    /// <summary>The short idle timeout of <see cref="Culling"/>.</summary>
    public static readonly TimeSpan ShortIdle = TimeSpan.FromSeconds(2);

    private string _tag = "";

    public string RunId { get; } = Guid.NewGuid().ToString("N")[..12];

    public DockerEngine Engine { get; private set; } = null!;

    /// <summary>A runtime of the tests' own, to look at and tamper with containers from outside.</summary>
    public ContainerRuntime Runtime { get; private set; } = null!;

    public string Image { get; private set; } = "";

    /// <summary>Two nodes, <see cref="NodeA"/> on Silo_0 and <see cref="NodeB"/> on Silo_1, idle timeout 10 minutes.</summary>
    public InProcessTestCluster Mesh { get; private set; } = null!;

    /// <summary>One node, <see cref="CullingNode"/>, idle timeout <see cref="ShortIdle"/>.</summary>
    public InProcessTestCluster Culling { get; private set; } = null!;

    public string NodeA => AllocatorCluster.NodeId($"mesh-{RunId}", "Silo_0");

    public string NodeB => AllocatorCluster.NodeId($"mesh-{RunId}", "Silo_1");

    public string CullingNode => AllocatorCluster.NodeId($"cull-{RunId}", "Silo_0");

    public async Task InitializeAsync()
    {
        Engine = await DockerEngine.StartAsync();
        var directory = await DockerEngine.PublishHelloWorldAsync();
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        _tag = $"physarum-test/allocator-hello:{RunId}";
        Image = (await new ImageBuilder(Engine.Client).BuildAsync(new ImageBuildRequest { Config = config, Tag = _tag, ContentId = "allocator-tests" })).ImageId;
        Runtime = new ContainerRuntime(Engine.Client);

        Mesh = await AllocatorCluster.StartAsync(2, $"mesh-{RunId}", RunLabel, RunId, TimeSpan.FromMinutes(10));
        Culling = await AllocatorCluster.StartAsync(1, $"cull-{RunId}", RunLabel, RunId, ShortIdle);
        await AllocatorCluster.RegisterAsync(Mesh.Client, Service, Image);
        await AllocatorCluster.RegisterAsync(Culling.Client, Service, Image);
    }

    public async Task DisposeAsync()
    {
        if (Mesh is not null)
        {
            await Mesh.DisposeAsync();
        }

        if (Culling is not null)
        {
            await Culling.DisposeAsync();
        }

        if (Runtime is not null)
        {
            foreach (var container in await Runtime.ListAsync(new Dictionary<string, string> { [RunLabel] = RunId }))
            {
                await Runtime.RemoveAsync(container.Id);
            }

            Runtime.Dispose();
        }

        if (Engine is not null)
        {
            if (_tag.Length > 0)
            {
                try
                {
                    await Engine.Client.Images.DeleteImageAsync(_tag, new Docker.DotNet.Models.ImageDeleteParameters { Force = true });
                }
                catch (Docker.DotNet.DockerImageNotFoundException)
                {
                }
            }

            await Engine.DisposeAsync();
        }
    }

    /// <summary>The silo address of node <paramref name="index"/> in <see cref="Mesh"/>.</summary>
    public SiloAddress MeshSilo(int index) => Mesh.Silos.Single(s => s.Name == $"Silo_{index}").SiloAddress;

    /// <summary>The containers of one instance (running or not).</summary>
    public Task<IReadOnlyList<ContainerSummary>> ContainersOf(InstanceKey key) => Runtime.ListAsync(ContainerLabels.ForInstance(key.Format()));

    /// <summary>Whether the instance grain is active anywhere in <paramref name="cluster"/>.</summary>
    public static async Task<bool> IsActiveAsync(InProcessTestCluster cluster, InstanceKey key)
    {
        var active = await cluster.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("instance"));
        return active.Contains(GrainId.Create("instance", key.Format()));
    }
}

/// <summary>The allocator tests share one engine, image and pair of clusters, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AllocatorCollection : ICollectionFixture<AllocatorFixture>
{
    public const string Name = "allocator";
}
