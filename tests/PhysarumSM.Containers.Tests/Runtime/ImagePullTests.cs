using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using PhysarumSM.Containers.Images;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Containers.Tests.Docker;
using PhysarumSM.Containers.Tests.Support;
using PhysarumSM.TestKit;

namespace PhysarumSM.Containers.Tests.Runtime;

/// <summary>
/// A node runs a service whose image only a registry has (Debian's docker-registry on loopback): the runtime pulls it, by
/// digest when the reference has one, once for concurrent starts, and turns every pull failure into a clear start error.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ImagePullTests(RuntimeFixture fixture, RegistryFixture registryFixture) : IClassFixture<RuntimeFixture>, IClassFixture<RegistryFixture>
{
    // Failure guard only: a broken engine or registry must fail the test, not hang it.
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private IDockerClient Client => fixture.Engine.Client;

    private LocalRegistry Registry => registryFixture.Registry;

    [Fact]
    public async Task AnImageOnlyTheRegistryHasIsPulledByDigestAndAnswers()
    {
        var image = await PublishOnlyToRegistryAsync("hello");
        var logger = new ListLogger<ContainerRuntime>();
        using var runtime = new ContainerRuntime(Client, logger: logger);
        try
        {
            var running = await runtime.RunAsync(fixture.Spec("pull-digest", image.Digested)).WaitAsync(Guard);
            await runtime.WaitReadyAsync(running);

            Assert.Equal("Hello, world\n", await GetAsync(running));
            Assert.Equal(image.Digested, running.Image);
            Assert.Equal(1, runtime.PullCount);
            Assert.Single(logger.Entries, e => e.Message.StartsWith($"Pulling image {image.Digested} from registry {Registry.Host}", StringComparison.Ordinal));
            Assert.Single(logger.Entries, e => e.Message.StartsWith($"Pulled image {image.Digested} in ", StringComparison.Ordinal));
            // Pulled by digest: the engine now knows the digest, and the tag (which a pull by tag would have brought back) stays absent.
            Assert.Equal(image.Id, (await Client.Images.InspectImageAsync(image.Digested)).ID);
            await Assert.ThrowsAsync<DockerImageNotFoundException>(() => Client.Images.InspectImageAsync(image.Tagged));

            // Now in the engine: the next start of the same reference pulls nothing.
            var second = await runtime.RunAsync(fixture.Spec("pull-digest-again", image.Digested)).WaitAsync(Guard);
            await runtime.WaitReadyAsync(second);
            Assert.Equal(1, runtime.PullCount);
        }
        finally
        {
            await CleanUpAsync(runtime, image);
        }
    }

    [Fact]
    public async Task AnImageOnlyTheRegistryHasIsPulledByTagAndAnswers()
    {
        var image = await PublishOnlyToRegistryAsync("hello-tagged");
        using var runtime = new ContainerRuntime(Client);
        try
        {
            var running = await runtime.RunAsync(fixture.Spec("pull-tag", image.Tagged)).WaitAsync(Guard);
            await runtime.WaitReadyAsync(running);

            Assert.Equal("Hello, world\n", await GetAsync(running));
            Assert.Equal(1, runtime.PullCount);
            Assert.Equal(image.Id, (await Client.Images.InspectImageAsync(image.Tagged)).ID);
        }
        finally
        {
            await CleanUpAsync(runtime, image);
        }
    }

    [Fact]
    public async Task ConcurrentStartsOfAMissingImageShareOnePull()
    {
        var image = await PublishOnlyToRegistryAsync("hello-concurrent");
        var logger = new ListLogger<ContainerRuntime>();
        using var runtime = new ContainerRuntime(Client, logger: logger);
        try
        {
            var starts = await Task.WhenAll(
                runtime.RunAsync(fixture.Spec("pull-concurrent-1", image.Digested)),
                runtime.RunAsync(fixture.Spec("pull-concurrent-2", image.Digested))).WaitAsync(Guard);
            foreach (var running in starts)
            {
                await runtime.WaitReadyAsync(running);
                Assert.Equal("Hello, world\n", await GetAsync(running));
            }

            Assert.NotEqual(starts[0].Id, starts[1].Id);
            Assert.Equal(1, runtime.PullCount);
            Assert.Single(logger.Entries, e => e.Message.StartsWith($"Pulling image {image.Digested} ", StringComparison.Ordinal));
        }
        finally
        {
            await CleanUpAsync(runtime, image);
        }
    }

    [Fact]
    public async Task ARegistryWhereNothingListensFailsClearlyAndLeavesNothing()
    {
        // Free a moment ago and not held: nothing listens there, so the engine is refused at once without leaving the machine.
        var reference = $"127.0.0.1:{FreePorts.Take(1)[0]}/hello:pulltest";
        using var runtime = new ContainerRuntime(Client);
        var spec = fixture.Spec("pull-unreachable", reference);

        var failure = await Assert.ThrowsAsync<ContainerStartException>(() => runtime.RunAsync(spec).WaitAsync(Guard));

        Assert.StartsWith($"image {reference} is not in this node's engine and pulling it from registry {ImageReference.Registry(reference)} failed: ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", failure.Message, StringComparison.Ordinal);
        Assert.Equal(reference, failure.Image);
        Assert.Null(failure.ContainerId);
        Assert.Equal(1, runtime.PullCount);
        Assert.Empty(await runtime.ListAsync(ContainerLabels.ForInstance(spec.InstanceId)));
    }

    [Fact]
    public async Task AnUnknownTagOrDigestFailsClearlyWithTheRegistrysMessage()
    {
        var image = await PublishOnlyToRegistryAsync("hello-unknown");
        using var runtime = new ContainerRuntime(Client);
        try
        {
            string[] references =
            [
                $"{image.Repository}:no-such-tag",
                $"{image.Repository}@sha256:{new string('0', 64)}",
                $"{Registry.Host}/no-such-repository:pulltest",
            ];
            foreach (var reference in references)
            {
                var spec = fixture.Spec("pull-unknown", reference);

                var failure = await Assert.ThrowsAsync<ContainerStartException>(() => runtime.RunAsync(spec).WaitAsync(Guard));

                Assert.StartsWith($"image {reference} is not in this node's engine and pulling it from registry {Registry.Host} failed: ", failure.Message, StringComparison.Ordinal);
                Assert.Contains("manifest unknown", failure.Message, StringComparison.Ordinal);
                Assert.Equal(reference, failure.Image);
                Assert.Empty(await runtime.ListAsync(ContainerLabels.ForInstance(spec.InstanceId)));
            }

            Assert.Equal(references.Length, runtime.PullCount);
        }
        finally
        {
            await CleanUpAsync(runtime, image);
        }
    }

    [Fact]
    public async Task APullOutlivesACallerThatGaveUpAndIsBoundedByItsTimeout()
    {
        // Accepts connections (the kernel's backlog) and never answers: the engine's pull hangs until it is cancelled.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var reference = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/hello:pulltest";
        var timeout = TimeSpan.FromSeconds(3);
        using var runtime = new ContainerRuntime(Client, new ContainerRuntimeOptions { PullTimeout = timeout });
        var first = fixture.Spec("pull-silent-1", reference);
        var second = fixture.Spec("pull-silent-2", reference);
        using var gaveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var began = System.Diagnostics.Stopwatch.GetTimestamp();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.RunAsync(first, gaveUp.Token).WaitAsync(Guard));
        var failure = await Assert.ThrowsAsync<ContainerStartException>(() => runtime.RunAsync(second).WaitAsync(Guard));

        // The second start joined the first one's pull (still under way), which then hit its timeout for both.
        Assert.Equal(1, runtime.PullCount);
        Assert.Contains($"image {reference} is not in this node's engine and pulling it from registry", failure.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish within 3 s", failure.Message, StringComparison.Ordinal);
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(began), timeout - TimeSpan.FromMilliseconds(100), timeout + TimeSpan.FromSeconds(20));
        Assert.Empty(await runtime.ListAsync(ContainerLabels.ForInstance(first.InstanceId)));
        Assert.Empty(await runtime.ListAsync(ContainerLabels.ForInstance(second.InstanceId)));
    }

    [Theory]
    [InlineData("physarum-test/absent:{run}")]
    [InlineData("absent-{run}")]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task AMissingLocalOnlyReferenceIsNotPulledAndSaysHowToMakeItAvailable(string pattern)
    {
        var reference = pattern.Replace("{run}", fixture.RunId, StringComparison.Ordinal);
        using var runtime = new ContainerRuntime(Client);
        var spec = fixture.Spec("local-only", reference);

        var failure = await Assert.ThrowsAsync<ContainerStartException>(() => runtime.RunAsync(spec).WaitAsync(Guard));

        Assert.StartsWith($"image {reference} of service hello-world is not in this node's engine, and the reference names no registry to pull it from", failure.Message, StringComparison.Ordinal);
        Assert.Contains("docker pull", failure.Message, StringComparison.Ordinal);
        Assert.Contains("push it to the mesh's registry", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, runtime.PullCount);
        Assert.Empty(await runtime.ListAsync(ContainerLabels.ForInstance(spec.InstanceId)));
    }

    /// <summary>
    /// A HelloWorld image of this test's own (committed from a container, so no other tag shares its id), pushed to the
    /// registry and then removed from the engine: only the registry has it.
    /// </summary>
    private async Task<RegistryImage> PublishOnlyToRegistryAsync(string name)
    {
        var repository = $"{Registry.Host}/physarum-test/{name}";
        var tagged = $"{repository}:pulltest";
        var container = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = fixture.HelloWorldImage,
            Labels = new Dictionary<string, string> { [RuntimeFixture.RunLabel] = fixture.RunId, ["physarum.test-pull"] = Guid.NewGuid().ToString("N") },
        });
        string id;
        try
        {
            id = (await Client.Images.CommitContainerChangesAsync(new CommitContainerChangesParameters
            {
                ContainerID = container.ID,
                RepositoryName = repository,
                Tag = "pulltest",
            })).ID;
        }
        finally
        {
            await TestImages.RemoveContainerAsync(Client, container.ID);
        }

        var digested = await new ImagePusher(Client).PushAsync(tagged);
        // Untagging the repository's last tag drops its digest reference too, and with them the image; never by id or forced:
        // its parent layers belong to the HelloWorld image other tests use.
        await Client.Images.DeleteImageAsync(tagged, new ImageDeleteParameters());
        await DeleteIfPresentAsync(digested);
        await Assert.ThrowsAsync<DockerImageNotFoundException>(() => Client.Images.InspectImageAsync(id));
        return new RegistryImage(repository, tagged, digested, id);
    }

    private async Task CleanUpAsync(ContainerRuntime runtime, RegistryImage image)
    {
        foreach (var container in await runtime.ListAsync(new Dictionary<string, string> { [RuntimeFixture.RunLabel] = fixture.RunId }))
        {
            await runtime.RemoveAsync(container.Id);
        }

        await DeleteIfPresentAsync(image.Tagged);
        await DeleteIfPresentAsync(image.Digested);
    }

    private Task DeleteIfPresentAsync(string reference) => TestImages.UntagAsync(Client, reference);

    private static async Task<string> GetAsync(RunningContainer container)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(container.LoopbackAddress());
    }

    private sealed record RegistryImage(string Repository, string Tagged, string Digested, string Id);
}

/// <summary>One throw-away registry for the pull tests (each test pushes repositories of its own to it).</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    internal LocalRegistry Registry { get; private set; } = null!;

    public async Task InitializeAsync() => Registry = await LocalRegistry.StartAsync();

    public async Task DisposeAsync()
    {
        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }
    }
}
