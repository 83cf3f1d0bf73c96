using PhysarumSM.TestKit;

namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>Tests that use the real engine share one prepared engine and run one class at a time (2 cores, one daemon).</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "docker engine";
}

/// <summary>Starts dockerd and makes the base image once (through TestKit's <see cref="DockerEngine"/>), and publishes the HelloWorld sample.</summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    public DockerEngine Engine { get; private set; } = null!;

    /// <summary>samples/HelloWorld, published.</summary>
    public string HelloWorldDirectory { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Engine = await DockerEngine.StartAsync();
        HelloWorldDirectory = await DockerEngine.PublishHelloWorldAsync();
    }

    public async Task DisposeAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }
    }
}
