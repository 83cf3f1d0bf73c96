using PhysarumSM.Containers.Engine;

namespace PhysarumSM.Containers.Tests.Engine;

/// <summary>Endpoint choice and the message when no engine answers (no engine needed).</summary>
public sealed class DockerEngineConnectorTests
{
    [Fact]
    public async Task NoEngineGivesAnActionableMessage()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"physarum-no-engine-{Guid.NewGuid():N}.sock");
        var connector = new DockerEngineConnector(new DockerEngineOptions { Endpoint = "unix://" + socket });

        var ex = await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => connector.ConnectAsync(CancellationToken.None));

        Assert.StartsWith(
            $"no Docker engine at unix://{socket}: start dockerd (deploy/start-dockerd.sh does, as root) or point Docker:Endpoint or DOCKER_HOST at a running engine (",
            ex.Message,
            StringComparison.Ordinal);
        Assert.Equal(new Uri("unix://" + socket), ex.Endpoint);
    }

    [Fact]
    public void ConfiguredEndpointWins()
    {
        var options = new DockerEngineOptions { Endpoint = "tcp://127.0.0.1:2375" };

        Assert.Equal(new Uri("tcp://127.0.0.1:2375"), options.ResolveEndpoint());
    }

    [Fact]
    public void DefaultIsTheLocalSocketUnlessDockerHostIsSet()
    {
        var expected = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock";

        Assert.Equal(new Uri(expected), new DockerEngineOptions().ResolveEndpoint());
    }

    [Fact]
    public void BadEndpointIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DockerEngineConnector(new DockerEngineOptions { Endpoint = "docker.sock" }));

        Assert.Equal("Docker endpoint 'docker.sock' is not valid: use unix:///path/to/docker.sock or tcp://host:port", ex.Message);
    }
}
