using System.Net;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Containers.Tests.Docker;

namespace PhysarumSM.Containers.Tests.Runtime;

/// <summary>
/// Where the data path reaches an instance on the real engine: the container's bridge address when the host reaches
/// it (no docker-proxy in the way), else its published loopback port.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DataEndpointTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Fact]
    public async Task A_ready_container_is_reached_at_its_bridge_address_and_answers_there()
    {
        var running = await fixture.Runtime.RunAsync(fixture.Spec("direct"));
        await fixture.Runtime.WaitReadyAsync(running);

        Assert.True(IPAddress.TryParse(running.NetworkAddress, out var address), $"no network address: '{running.NetworkAddress}'");
        Assert.False(IPAddress.IsLoopback(address));
        var endpoint = await fixture.Runtime.DataEndpointAsync(running);
        Assert.Equal(new IPEndPoint(address, 8080), endpoint);
        Assert.Equal("Hello, world\n", await GetAsync(endpoint));
        Assert.Equal(running.NetworkAddress, (await fixture.Runtime.AdoptAsync(running.Id))?.NetworkAddress);
    }

    [Fact]
    public async Task With_the_direct_path_off_the_published_port_is_used()
    {
        using var runtime = new ContainerRuntime(fixture.Engine.Client, new ContainerRuntimeOptions { DirectNetworkPath = false });
        var running = await runtime.RunAsync(fixture.Spec("published"));
        await runtime.WaitReadyAsync(running);

        var endpoint = await runtime.DataEndpointAsync(running);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, running.HostPort), endpoint);
        Assert.Equal("Hello, world\n", await GetAsync(endpoint));
    }

    [Fact]
    public async Task A_failed_connect_falls_back_and_later_containers_skip_the_probe()
    {
        using var runtime = new ContainerRuntime(fixture.Engine.Client);
        var running = await runtime.RunAsync(fixture.Spec("unreachable"));
        await runtime.WaitReadyAsync(running);
        var published = new IPEndPoint(IPAddress.Loopback, running.HostPort);

        // Nothing listens on port 9 in the container: its kernel refuses, as a host that cannot reach the bridge would fail.
        Assert.Equal(published, await runtime.DataEndpointAsync(running with { ServicePort = 9 }));
        Assert.Equal(published, await runtime.DataEndpointAsync(running));
        Assert.Equal("Hello, world\n", await GetAsync(published));
    }

    private static async Task<string> GetAsync(IPEndPoint endpoint)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri($"http://{endpoint}/"));
    }
}
