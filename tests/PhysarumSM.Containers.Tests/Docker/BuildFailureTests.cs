using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;
using PhysarumSM.Containers.Tests.Configuration;

namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>Failed builds surface the engine's own explanation.</summary>
[Collection(DockerCollection.Name)]
public sealed class BuildFailureTests(DockerEngineFixture fixture) : IDisposable
{
    private readonly BuildDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FailingRunStepGivesTheEnginesMessage()
    {
        var client = fixture.Engine.Client;
        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "Run": ["echo about to fail; exit 3"], "Cmd": "true" } }""", _dir.Path);
        var tag = TestImages.UniqueTag("failing-run");
        var progress = new ProgressLines();
        try
        {
            var ex = await Assert.ThrowsAsync<ImageBuildException>(
                () => new ImageBuilder(client).BuildAsync(new ImageBuildRequest { Config = config, Tag = tag, NoCache = true }, progress));

            Assert.Equal($"building {tag} failed: The command '/bin/sh -c echo about to fail; exit 3' returned a non-zero code: 3", ex.Message);
            Assert.Contains("about to fail", progress.Lines);
        }
        finally
        {
            await TestImages.RemoveIntermediatesAsync(client, progress.Lines, config.Docker.From);
            await TestImages.RemoveImageAsync(client, tag);
        }
    }

    [Fact]
    public async Task MissingBaseImageSaysHowToGetOne()
    {
        var client = fixture.Engine.Client;
        // A loopback registry that is not there: the engine's pull fails at once, on this machine only.
        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "From": "127.0.0.1:9/physarum-test/missing:none", "Cmd": "true" } }""", _dir.Path);
        var tag = TestImages.UniqueTag("missing-base");

        var ex = await Assert.ThrowsAsync<ImageBuildException>(
            () => new ImageBuilder(client).BuildAsync(new ImageBuildRequest { Config = config, Tag = tag }));

        Assert.StartsWith($"building {tag} failed: ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            " (the base image 127.0.0.1:9/physarum-test/missing:none is not in the engine and could not be pulled: load it with docker load or docker import, or use physarum/base:bookworm)",
            ex.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashingAMissingImageSaysSo()
    {
        var ex = await Assert.ThrowsAsync<ImageBuildException>(
            () => new ImageContentHasher(fixture.Engine.Client).ComputeAsync("physarum-test/never-built:none"));

        Assert.StartsWith("cannot hash physarum-test/never-built:none: the engine has no such image (", ex.Message, StringComparison.Ordinal);
    }
}
