using System.Net;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>The sample's image-conf.json builds on the local base image, runs, and answers "Hello, world"; its hashes are stable.</summary>
[Collection(DockerCollection.Name)]
public sealed class HelloWorldImageTests(DockerEngineFixture fixture)
{
    [Fact]
    public async Task SampleImageRunsAndAnswersHelloWorld()
    {
        var client = fixture.Engine.Client;
        var directory = fixture.HelloWorldDirectory;
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        var tag = TestImages.UniqueTag("hello-world-server");
        var progress = new ProgressLines();
        string? container = null;
        try
        {
            var built = await new ImageBuilder(client).BuildAsync(new ImageBuildRequest { Config = config, Tag = tag }, progress);

            Assert.StartsWith("sha256:", built.ImageId, StringComparison.Ordinal);
            Assert.Equal(built.ImageId, built.DockerHash);
            Assert.Matches("^sha256:[0-9a-f]{64}$", built.ContentHash);
            Assert.False(built.Pushed);
            Assert.Contains(progress.Lines, line => line.StartsWith("Step 1/", StringComparison.Ordinal) && line.EndsWith("FROM physarum/base:bookworm", StringComparison.Ordinal));

            var (id, port) = await TestImages.RunPublishedAsync(client, built.DockerHash, servicePort: 8080);
            container = id;
            var (status, body) = await TestImages.GetWhenReadyAsync($"http://127.0.0.1:{port}/any/path?q=1", client, id);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Hello, world\n", body);
        }
        finally
        {
            if (container is not null)
            {
                await TestImages.RemoveContainerAsync(client, container);
            }

            await TestImages.RemoveImageAsync(client, tag);
        }
    }

    [Fact]
    public async Task ContentHashIsStableForTheSameImage()
    {
        var client = fixture.Engine.Client;
        var directory = fixture.HelloWorldDirectory;
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        var first = TestImages.UniqueTag("hash-a");
        var second = TestImages.UniqueTag("hash-b");
        try
        {
            var builder = new ImageBuilder(client);
            var a = await builder.BuildAsync(new ImageBuildRequest { Config = config, Tag = first });
            // Same inputs: the engine's cache gives the same image, under another name.
            var b = await builder.BuildAsync(new ImageBuildRequest { Config = config, Tag = second });
            var again = await new ImageContentHasher(client).ComputeAsync(first);

            Assert.Equal(a.ImageId, b.ImageId);
            Assert.Equal(a.ContentHash, b.ContentHash);
            Assert.Equal(a.ContentHash, again);
        }
        finally
        {
            await TestImages.RemoveImageAsync(client, first);
            await TestImages.RemoveImageAsync(client, second);
        }
    }

    [Fact]
    public async Task GivenContentIdIsUsedAsIs()
    {
        var client = fixture.Engine.Client;
        var directory = fixture.HelloWorldDirectory;
        var config = await ServiceConfigLoader.LoadAsync(Path.Combine(directory, "image-conf.json"), directory);
        var tag = TestImages.UniqueTag("content-id");
        try
        {
            var built = await new ImageBuilder(client).BuildAsync(new ImageBuildRequest { Config = config, Tag = tag, ContentId = "QmUserGivenContentId" });

            Assert.Equal("QmUserGivenContentId", built.ContentHash);
        }
        finally
        {
            await TestImages.RemoveImageAsync(client, tag);
        }
    }
}
