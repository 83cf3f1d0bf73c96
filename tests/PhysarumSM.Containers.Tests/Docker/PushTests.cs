using System.Net;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>--push: DockerHash becomes repo@digest, and the registry serves that digest.</summary>
[Collection(DockerCollection.Name)]
public sealed class PushTests(DockerEngineFixture fixture)
{
    [Fact]
    public async Task PushedImageIsRegisteredByDigest()
    {
        var client = fixture.Engine.Client;
        var directory = fixture.HelloWorldDirectory;
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        await using var registry = await LocalRegistry.StartAsync();
        var repository = $"{registry.Host}/physarum-test/hello-world-server";
        var tag = $"{repository}:1.0";
        var progress = new ProgressLines();
        try
        {
            var built = await new ImageBuilder(client).BuildAsync(new ImageBuildRequest { Config = config, Tag = tag, Push = true }, progress);

            Assert.True(built.Pushed);
            Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(repository)}@sha256:[0-9a-f]{{64}}$", built.DockerHash);
            var digest = built.DockerHash[(repository.Length + 1)..];
            Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("physarum-test/hello-world-server", digest));
            Assert.Contains(progress.Lines, line => line.Contains(digest, StringComparison.Ordinal));
        }
        finally
        {
            await TestImages.RemoveImageAsync(client, tag);
        }
    }

    [Fact]
    public async Task PushToAnAbsentRegistryGivesTheEnginesMessage()
    {
        var client = fixture.Engine.Client;
        var directory = fixture.HelloWorldDirectory;
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        // Port 9 on loopback: nothing listens, so the engine fails at once without leaving the machine.
        var tag = $"127.0.0.1:9/physarum-test/hello-world-server:{Guid.NewGuid():N}";
        try
        {
            var ex = await Assert.ThrowsAsync<ImageBuildException>(
                () => new ImageBuilder(client).BuildAsync(new ImageBuildRequest { Config = config, Tag = tag, Push = true }));

            Assert.StartsWith($"pushing {tag} failed: ", ex.Message, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:9", ex.Message["pushing ".Length..][tag.Length..], StringComparison.Ordinal);
        }
        finally
        {
            await TestImages.RemoveImageAsync(client, tag);
        }
    }
}
