using Docker.DotNet.Models;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Containers.Tests.Docker;
using PhysarumSM.TestKit;

namespace PhysarumSM.Containers.Tests.Runtime;

/// <summary>Instance containers on the real engine: contract, labels, limits, readiness, pause, exit and removal.</summary>
[Collection(DockerCollection.Name)]
public sealed class ContainerRuntimeTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    // Failure guard only: a broken engine must fail the test, not hang it.
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private ContainerRuntime Runtime => fixture.Runtime;

    [Fact]
    public async Task RunsWithTheContractLabelsAndLimitsAndAnswersWhenReady()
    {
        var spec = fixture.Spec("contract") with
        {
            CpuCores = 0.5,
            MemoryMiB = 128,
            MetricsPort = 9200,
            Bootstraps = ["/ip4/10.0.0.1/tcp/4001/p2p/QmA", "/ip4/10.0.0.2/tcp/4001/p2p/QmB"],
            Psk = "secret-psk",
        };

        var running = await Runtime.RunAsync(spec);
        await Runtime.WaitReadyAsync(running);

        Assert.Equal("Hello, world\n", await GetAsync(running));
        Assert.Equal(spec.InstanceId, running.InstanceId);
        Assert.Equal(fixture.NodeId, running.NodeId);
        Assert.Equal("hello-world", running.ServiceName);
        Assert.Equal(8080, running.ServicePort);

        var details = await Runtime.InspectAsync(running.Id);
        Assert.NotNull(details);
        Assert.Equal(ContainerRunState.Running, details.State);
        Assert.Equal(running.HostPort, details.HostPort);
        Assert.Equal("hello-world", details.Labels[ContainerLabels.Service]);
        Assert.Equal(spec.InstanceId, details.Labels[ContainerLabels.Instance]);
        Assert.Equal(fixture.NodeId, details.Labels[ContainerLabels.Node]);
        Assert.Equal("8080", details.Environment[ServiceEnvironment.ServicePort]);
        Assert.Equal(await Runtime.GetGatewayAddressAsync(), details.Environment[ServiceEnvironment.ProxyIp]);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", details.Environment[ServiceEnvironment.ProxyIp]);
        Assert.Equal("4200", details.Environment[ServiceEnvironment.ProxyPort]);
        Assert.Equal("9200", details.Environment[ServiceEnvironment.MetricsPort]);
        Assert.Equal("/ip4/10.0.0.1/tcp/4001/p2p/QmA /ip4/10.0.0.2/tcp/4001/p2p/QmB", details.Environment[ServiceEnvironment.P2PBootstraps]);
        Assert.Equal("secret-psk", details.Environment[ServiceEnvironment.P2PPsk]);
        Assert.Equal(0.5, details.CpuCores);
        Assert.Equal(128, details.MemoryMiB);
        Assert.True(details.Init);
        Assert.Equal("no", details.RestartPolicy);

        // The engine's own view of the limits, in its units.
        var raw = await fixture.Engine.Client.Containers.InspectContainerAsync(running.Id);
        Assert.Equal(500_000_000, raw.HostConfig.NanoCPUs);
        Assert.Equal(128L * 1024 * 1024, raw.HostConfig.Memory);

        var byInstance = Assert.Single(await Runtime.ListAsync(ContainerLabels.ForInstance(spec.InstanceId)));
        Assert.Equal(running.Id, byInstance.Id);
        Assert.Equal(ContainerRunState.Running, byInstance.State);
        Assert.Equal(running.HostPort, byInstance.HostPort);
        Assert.Contains(await Runtime.ListAsync(ContainerLabels.ForService(fixture.NodeId, "hello-world")), c => c.Id == running.Id);
        Assert.Contains(await Runtime.ListAsync(new Dictionary<string, string> { [RuntimeFixture.RunLabel] = "" }), c => c.Id == running.Id);
        Assert.DoesNotContain(await Runtime.ListAsync(ContainerLabels.ForNode("some-other-node")), c => c.Id == running.Id);

        var adopted = await Runtime.AdoptAsync(running.Id);
        Assert.NotNull(adopted);
        Assert.Equal(running.HostPort, adopted.HostPort);
        Assert.Equal(8080, adopted.ServicePort);
        Assert.Equal(spec.InstanceId, adopted.InstanceId);
    }

    [Fact]
    public async Task PausedDoesNotAnswerAndUnpausedAnswersAgain()
    {
        var running = await Runtime.RunAsync(fixture.Spec("pause"));
        await Runtime.WaitReadyAsync(running);

        await Runtime.PauseAsync(running.Id);
        await Runtime.PauseAsync(running.Id); // a second pause is a no-op

        Assert.Equal(ContainerRunState.Paused, (await Runtime.InspectAsync(running.Id))!.State);
        Assert.Equal(ContainerRunState.Paused, Assert.Single(await Runtime.ListAsync(ContainerLabels.ForInstance(running.InstanceId))).State);
        var adopted = await Runtime.AdoptAsync(running.Id);
        Assert.Equal(running.HostPort, adopted?.HostPort);
        await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(running, TimeSpan.FromSeconds(1)));
        var notReady = await Assert.ThrowsAsync<ContainerStartException>(() => Runtime.WaitReadyAsync(running, TimeSpan.FromSeconds(1)));
        Assert.Null(notReady.ExitCode);

        await Runtime.UnpauseAsync(running.Id);
        await Runtime.UnpauseAsync(running.Id); // a second unpause is a no-op
        await Runtime.WaitReadyAsync(running);

        Assert.Equal(ContainerRunState.Running, (await Runtime.InspectAsync(running.Id))!.State);
        Assert.Equal("Hello, world\n", await GetAsync(running));
    }

    [Fact]
    public async Task ACommandThatExitsWithThreeFailsWithItsExitCodeAndLogLines()
    {
        var spec = fixture.Spec("exits") with
        {
            Image = DockerEngine.BaseImage,
            Command = ["sh", "-c", "echo starting on port $SERVICE_PORT; sleep 1; echo 'fatal: no config found' >&2; exit 3"],
        };

        var failure = await Assert.ThrowsAsync<ContainerStartException>(async () =>
        {
            // Usually RunAsync returns and WaitReadyAsync sees the exit; on a slow machine RunAsync may see it first.
            var running = await Runtime.RunAsync(spec);
            await Runtime.WaitReadyAsync(running);
        });

        Assert.Equal(3, failure.ExitCode);
        Assert.Equal(DockerEngine.BaseImage, failure.Image);
        Assert.Contains("exited with code 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains(DockerEngine.BaseImage, failure.Message, StringComparison.Ordinal);
        Assert.Contains("starting on port 8080", failure.LogTail);
        Assert.Contains("fatal: no config found", failure.LogTail);
        Assert.Contains("fatal: no config found", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForExitCompletesWhenTheContainerIsKilled()
    {
        var running = await Runtime.RunAsync(fixture.Spec("killed"));
        await Runtime.WaitReadyAsync(running);

        var exit = Runtime.WaitForExitAsync(running.Id);
        Assert.False(exit.IsCompleted);
        await fixture.Engine.Client.Containers.KillContainerAsync(running.Id, new ContainerKillParameters());

        Assert.Equal(137, await exit.WaitAsync(Guard));
        Assert.Equal(ContainerRunState.Exited, (await Runtime.InspectAsync(running.Id))!.State);
        Assert.Null(await Runtime.AdoptAsync(running.Id));
        Assert.Equal(137, await Runtime.WaitForExitAsync(running.Id).WaitAsync(Guard)); // already stopped: at once
    }

    [Fact]
    public async Task StopEndsTheServiceAndRemoveMakesItGone()
    {
        var running = await Runtime.RunAsync(fixture.Spec("stopped"));
        await Runtime.WaitReadyAsync(running);
        var exit = Runtime.WaitForExitAsync(running.Id);

        Assert.True(await Runtime.StopAsync(running.Id));
        await exit.WaitAsync(Guard);
        Assert.False(await Runtime.StopAsync(running.Id));
        Assert.Equal(ContainerRunState.Exited, (await Runtime.InspectAsync(running.Id))!.State);
        var listed = Assert.Single(await Runtime.ListAsync(ContainerLabels.ForInstance(running.InstanceId)));
        Assert.Equal(ContainerRunState.Exited, listed.State);
        Assert.Null(listed.HostPort);

        Assert.True(await Runtime.RemoveAsync(running.Id));
        Assert.Null(await Runtime.InspectAsync(running.Id));
        Assert.False(await Runtime.RemoveAsync(running.Id));
        Assert.Empty(await Runtime.ListAsync(ContainerLabels.ForInstance(running.InstanceId)));
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.PauseAsync(running.Id));
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.WaitForExitAsync(running.Id));
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.LogTailAsync(running.Id, 5));
    }

    [Fact]
    public async Task StoppingAPausedContainerWorks()
    {
        var running = await Runtime.RunAsync(fixture.Spec("paused-stopped"));
        await Runtime.WaitReadyAsync(running);
        await Runtime.PauseAsync(running.Id);

        Assert.True(await Runtime.StopAsync(running.Id));
        Assert.Equal(ContainerRunState.Exited, (await Runtime.InspectAsync(running.Id))!.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.PauseAsync(running.Id));
    }

    [Fact]
    public async Task RemovingAPausedContainerWorks()
    {
        var running = await Runtime.RunAsync(fixture.Spec("paused-removed"));
        await Runtime.WaitReadyAsync(running);
        await Runtime.PauseAsync(running.Id);

        Assert.True(await Runtime.RemoveAsync(running.Id));
        Assert.Null(await Runtime.InspectAsync(running.Id));
    }

    [Fact]
    public async Task AMissingImageFailsClearlyAndLeavesNothing()
    {
        var spec = fixture.Spec("missing-image", image: "physarum-test/no-such-image:" + fixture.RunId);

        var failure = await Assert.ThrowsAsync<ContainerStartException>(() => Runtime.RunAsync(spec));

        Assert.Contains("physarum-test/no-such-image", failure.Message, StringComparison.Ordinal);
        Assert.Equal(spec.Image, failure.Image);
        Assert.Null(failure.ExitCode);
        Assert.Empty(await Runtime.ListAsync(ContainerLabels.ForInstance(spec.InstanceId)));
    }

    [Fact]
    public async Task AnImpossibleCpuLimitFailsClearlyAndLeavesNothing()
    {
        var spec = fixture.Spec("too-many-cpus") with { CpuCores = Environment.ProcessorCount + 64 };

        var failure = await Assert.ThrowsAsync<ContainerStartException>(() => Runtime.RunAsync(spec));

        Assert.Contains("CPU", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await Runtime.ListAsync(ContainerLabels.ForInstance(spec.InstanceId)));
    }

    private static async Task<string> GetAsync(RunningContainer container, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(container.LoopbackAddress());
    }
}
