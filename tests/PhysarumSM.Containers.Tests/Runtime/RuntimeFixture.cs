using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Containers.Tests.Docker;
using PhysarumSM.TestKit;

namespace PhysarumSM.Containers.Tests.Runtime;

/// <summary>
/// The real engine, the HelloWorld sample built under a tag of its own, and a <see cref="ContainerRuntime"/>. Every container
/// the tests start carries this fixture's run label, and all of them (and the image) are removed at the end.
/// </summary>
public sealed class RuntimeFixture : IAsyncLifetime
{
    /// <summary>The label marking this fixture's containers.</summary>
    public const string RunLabel = "physarum.test-run";

    public DockerEngine Engine { get; private set; } = null!;

    public ContainerRuntime Runtime { get; private set; } = null!;

    /// <summary>The HelloWorld image's id.</summary>
    public string HelloWorldImage { get; private set; } = "";

    /// <summary>This fixture's value of <see cref="RunLabel"/> (and its node id's suffix).</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The node id of every container this fixture's specs start.</summary>
    public string NodeId => $"test-node-{RunId}";

    private string _tag = "";

    public async Task InitializeAsync()
    {
        Engine = await DockerEngine.StartAsync();
        var directory = await DockerEngine.PublishHelloWorldAsync();
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        _tag = TestImages.UniqueTag("runtime-hello");
        var built = await new ImageBuilder(Engine.Client).BuildAsync(new ImageBuildRequest { Config = config, Tag = _tag, ContentId = "runtime-tests" });
        HelloWorldImage = built.ImageId;
        Runtime = new ContainerRuntime(Engine.Client);
    }

    /// <summary>A HelloWorld spec on this fixture's node, labelled for cleanup.</summary>
    public ContainerSpec Spec(string instance, string? image = null) => new()
    {
        Image = image ?? HelloWorldImage,
        ServiceName = "hello-world",
        InstanceId = $"hello-world/{NodeId}/{instance}",
        NodeId = NodeId,
        ServicePort = 8080,
        ProxyPort = 4200,
        Labels = new Dictionary<string, string> { [RunLabel] = RunId },
    };

    public async Task DisposeAsync()
    {
        if (Engine is null)
        {
            return;
        }

        if (Runtime is not null)
        {
            foreach (var container in await Runtime.ListAsync(new Dictionary<string, string> { [RunLabel] = RunId }))
            {
                await Runtime.RemoveAsync(container.Id);
            }

            Runtime.Dispose();
        }

        if (_tag.Length > 0)
        {
            await TestImages.RemoveImageAsync(Engine.Client, _tag);
        }

        await Engine.DisposeAsync();
    }
}
