using System.Diagnostics;
using System.Globalization;
using Docker.DotNet.Models;
using PhysarumSM.Node.Tests.Integration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Deploy;

/// <summary>
/// README's one run command, run as a user would: scripts/run.sh builds, starts a node with every role, registers the
/// hello-world sample, and the gateway answers "Hello, world". Why a test: nothing else runs the script, so a change to
/// the node's flags or output could break the first thing a new user types without any test noticing.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class QuickStartTests
{
    [Fact]
    public async Task Scripts_run_sh_starts_the_mesh_with_hello_world_and_the_gateway_answers()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));   // builds included
        var ct = guard.Token;
        await using var docker = await DockerEngine.StartAsync(ct);
        var directory = Directory.CreateTempSubdirectory("physarum-quickstart-").FullName;
        var ports = NodePorts.Allocate() with { Proxy = FreePorts.Take(1)[0], Admin = FreePorts.Take(1)[0] };
        var etcd = FreePorts.Take(2);
        // The script's defaults (4001, 4200, 2379, 8080, ~/.physarum) are what a user gets; the test moves them out of the
        // way of anything else on the machine through the extra flags the script hands to the node, as README says.
        var info = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryRoot.Path };
        foreach (var arg in (string[])[
            Path.Combine(RepositoryRoot.Path, "scripts", "run.sh"),
            // A silo port other than 11111 makes the node its own primary only when told (11111 is the default primary).
            .. NodeProcess.Flags(ports, Path.Combine(directory, "identity.key"), primarySiloPort: ports.Silo, psk: null),
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PHYSARUM_DATA_DIR"] = Path.Combine(directory, "data");
        info.Environment["P2P_PSK"] = "quick-start-test";
        // The script's builds must not leave build servers behind holding its output open (the test reads it to the end).
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        string? peerId = null;
        await using (var script = CliHandle.Start(info))
        {
            await Eventually.HoldsAsync(() => script.Exited.IsCompleted || script.Output.Any(l =>
                l.StartsWith("mesh running: bootstrap ", StringComparison.Ordinal) || l.StartsWith("physarum-node exited", StringComparison.Ordinal)), ct);
            Assert.True(script.Output.Any(l => l.StartsWith("mesh running: bootstrap ", StringComparison.Ordinal)), $"scripts/run.sh did not get the mesh running:\n{script}");
            var running = script.Output.First(l => l.StartsWith("mesh running: bootstrap ", StringComparison.Ordinal));
            peerId = running.Split("/p2p/")[1].Split(' ')[0];
            Assert.Contains(script.Output, l => l.StartsWith("hello-world-server ", StringComparison.Ordinal));   // `service list`

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            Assert.Equal("Hello, world", (await http.GetStringAsync(new Uri(ports.ProxyUri, "hello-world-server/"), ct)).Trim());
            var containers = await ContainersAsync(docker, peerId, ct);
            Assert.Contains(containers, c => c.Labels["physarum.service"] == "hello-world-server" && c.State == "running");

            // Ctrl+C (here SIGTERM, which the script traps the same way) stops the node: the gateway goes away.
            await script.StopAsync(ct);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(new Uri(ports.ProxyUri, "hello-world-server/"), ct));
        }

        foreach (var container in await ContainersAsync(docker, peerId!, ct))
        {
            await docker.Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, ct);
        }

        Directory.Delete(directory, recursive: true);
    }

    private static async Task<IList<ContainerListResponse>> ContainersAsync(DockerEngine docker, string node, CancellationToken ct) =>
        await docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"physarum.node={node}"] = true } },
        }, ct);
}
