using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Client.Tests.RealNode;

/// <summary>
/// The client against a real physarum-node (etcd, Docker, HelloWorld): register, resolve with a cold start, send, list,
/// delete, and the event feed seeing the allocation and the idle cull. Also the IntegratorClient sample end to end.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class RealNodeClientTests(NodeFixture fixture, ITestOutputHelper output)
{
    private ServiceInfo HelloWorld(string name) => new()
    {
        Name = name,
        DockerHash = fixture.Image,
        ContentHash = "client-tests",
        CpuReq = 0.25,
        MemoryReq = 64,
    };

    [Fact]
    public async Task A_service_is_registered_resolved_called_culled_and_deleted_through_the_client()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = guard.Token;
        var client = fixture.Client;
        var name = "client-hello-" + Guid.NewGuid().ToString("N")[..8];
        await using var events = EventRecorder.Start(client);

        // Registered (again, until the feed started before it has seen it).
        await events.PrimeAsync(() => client.RegisterAsync(HelloWorld(name), cancellationToken: ct),
            e => e.Kind == MeshEventKind.ServiceRegistered && e.Service == name, ct);
        Assert.Contains(await client.ListAsync(ct), r => r.Info.Name == name && r.Info.DockerHash == fixture.Image);
        Assert.Equal(fixture.Image, (await client.GetAsync(name, ct))?.Info.DockerHash);

        // The gateway URL came from the node's published NodeInfo, and the entry node is the node behind the Orleans gateway.
        var node = Assert.Single(await client.NodesAsync(ct), n => n.Info.PeerId == fixture.Node.PeerId);
        Assert.Equal(fixture.Node.Ports.ProxyUri.ToString(), node.Info.GatewayUrl);

        // Cold start: nothing runs yet, the resolve starts the container and returns once it answers.
        var instance = await client.ResolveAsync(name, ct);
        Assert.Equal(name, instance.Service);
        Assert.Equal(fixture.Node.PeerId, instance.NodeId);
        Assert.Equal(InstanceState.Running, instance.State);
        Assert.False(string.IsNullOrEmpty(instance.ContainerId));

        using (var response = await client.SendAsync(name, new HttpRequestMessage(HttpMethod.Get, "/"), ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Hello, world", (await response.Content.ReadAsStringAsync(ct)).Trim());
        }

        var started = await events.WaitAsync(e => e.Kind == MeshEventKind.InstanceStarted && e.Service == name, ct, $"{name} started");
        Assert.Equal(fixture.Node.PeerId, started.NodeId);

        // No more requests: after -idle-timeout 3s the instance is culled (no warm pool) and the feed says so.
        var culled = await events.WaitAsync(e => e.Kind == MeshEventKind.InstanceCulled && e.Service == name, ct, $"{name} culled");
        Assert.True(culled.Sequence > started.Sequence);

        Assert.True(await client.DeleteAsync(name, ct));
        Assert.Null(await client.GetAsync(name, ct));
        Assert.DoesNotContain(await client.ListAsync(ct), r => r.Info.Name == name);
        await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceDeleted && e.Service == name, ct, $"{name} deleted");

        // Gone from the registry: the resolve says so, and so does the gateway (its status for a just-deleted service depends
        // on its route cache, which may still hold the culled instance: 502 then, naming the same cause).
        await Assert.ThrowsAsync<ServiceNotFoundException>(() => client.ResolveAsync(name, ct));
        using (var deleted = await client.SendAsync(name, new HttpRequestMessage(HttpMethod.Get, "/"), ct))
        {
            Assert.False(deleted.IsSuccessStatusCode);
            Assert.Contains($"'{name}' is not registered", await deleted.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        var never = "never-registered-" + Guid.NewGuid().ToString("N")[..8];
        using var unknown = await client.SendAsync(never, new HttpRequestMessage(HttpMethod.Get, "/"), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains($"'{never}' is not registered", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_integrator_sample_lists_the_mesh_calls_a_service_and_prints_events()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = guard.Token;
        var name = "sample-hello-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Client.RegisterAsync(HelloWorld(name), cancellationToken: ct);
        try
        {
            var run = await RunSampleAsync(
                ["--gateway", $"127.0.0.1:{fixture.Node.Ports.Gateway}", "--service", name, "--watch", "1"], ct);
            output.WriteLine(run.ToString());
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"  {fixture.Node.PeerId} ", run.Output, StringComparison.Ordinal);
            Assert.Contains($"  {name} image={fixture.Image}", run.Output, StringComparison.Ordinal);
            Assert.Contains($"resolved {name}: instance {name}/{fixture.Node.PeerId}/", run.Output, StringComparison.Ordinal);
            Assert.Contains("GET / -> 200 OK", run.Output, StringComparison.Ordinal);
            Assert.Contains("Hello, world", run.Output, StringComparison.Ordinal);
            Assert.Contains("events for 1 s:", run.Output, StringComparison.Ordinal);

            var unreachable = await RunSampleAsync(["--gateway", "127.0.0.1:1", "--watch", "0", "--connect-timeout", "3"], ct);
            Assert.Equal(1, unreachable.ExitCode);
            Assert.Contains("the mesh could not be reached", unreachable.Error, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Client.DeleteAsync(name, CancellationToken.None);
        }
    }

    private sealed record SampleRun(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    private static async Task<SampleRun> RunSampleAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IntegratorClient.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new SampleRun(process.ExitCode, await output, await error);
    }
}
