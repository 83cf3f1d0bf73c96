using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;

namespace PhysarumSM.Containers.Tests.Runtime;

/// <summary>Spec validation, naming and an unreachable engine: no engine needed.</summary>
public sealed class ContainerSpecTests
{
    private static ContainerSpec Valid => new()
    {
        Image = "physarum/hello-world-server:1.0",
        ServiceName = "hello-world",
        InstanceId = "hello-world/node-a/0",
        NodeId = "node-a",
    };

    [Fact]
    public void AValidSpecHasNoError() => Assert.Null(Valid.Validate());

    [Theory]
    [InlineData("image")]
    [InlineData("service")]
    [InlineData("port")]
    [InlineData("cpu")]
    [InlineData("memory")]
    [InlineData("tiny-memory")]
    [InlineData("env")]
    [InlineData("label")]
    public void InvalidSpecsAreRefusedWithAReason(string what)
    {
        var spec = what switch
        {
            "image" => Valid with { Image = " " },
            "service" => Valid with { ServiceName = "" },
            "port" => Valid with { ServicePort = 70000 },
            "cpu" => Valid with { CpuCores = -1 },
            "memory" => Valid with { MemoryMiB = -5 },
            "tiny-memory" => Valid with { MemoryMiB = 2 },
            "env" => Valid with { Environment = new Dictionary<string, string> { ["PROXY_IP"] = "1.2.3.4" } },
            "label" => Valid with { Labels = new Dictionary<string, string> { [ContainerLabels.Node] = "other" } },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        Assert.NotNull(spec.Validate());
    }

    [Fact]
    public async Task RunRefusesAnInvalidSpecBeforeTouchingTheEngine()
    {
        using var client = new DockerEngineConnector(new DockerEngineOptions { Endpoint = "unix:///nonexistent/docker.sock" }).CreateClient();
        using var runtime = new ContainerRuntime(client);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runtime.RunAsync(Valid with { CpuCores = -1 }));

        Assert.Contains("must not be negative", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesAreValidForTheEngineAndUnique()
    {
        var first = ContainerMapping.NameFor("hello-world/node a/0");
        var second = ContainerMapping.NameFor("hello-world/node a/0");

        Assert.Matches("^physarum-hello-world-node-a-0-[0-9a-f]{8}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task AnUnreachableEngineIsReportedAsSuch()
    {
        using var client = new DockerEngineConnector(new DockerEngineOptions { Endpoint = "unix:///nonexistent/docker.sock" }).CreateClient();
        using var runtime = new ContainerRuntime(client);

        await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => runtime.ListAsync(ContainerLabels.ForNode("node-a")));
        await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => runtime.RunAsync(Valid));
        await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => runtime.WaitForExitAsync("abc"));
    }
}
