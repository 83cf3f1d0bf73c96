using System.Diagnostics;
using System.Globalization;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>The registry through the real CLI and real nodes with their own etcd members (issue 4).</summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class RegistryCliTests
{
    private const string Service = "hello-world-server";

    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(5));

    private static string[] RegistryFlags(string dataDir, bool newCluster, int[] etcdPorts) =>
    [
        .. newCluster ? new[] { "-new-etcd-cluster" } : [],
        "-etcd-ip", "127.0.0.1",
        "-etcd-client-port", etcdPorts[0].ToString(CultureInfo.InvariantCulture),
        "-etcd-peer-port", etcdPorts[1].ToString(CultureInfo.InvariantCulture),
        "-data-dir", dataDir,
    ];

    private static Task<CliResult> Cli(NodeProcess via, CancellationToken ct, params string[] args) =>
        CliProcess.RunAsync(["--bootstrap", via.Address, "--psk", TestMesh.Psk, .. args], ct);

    [Fact]
    public async Task Push_with_an_existing_image_is_refused_instead_of_silently_registering_an_unpushed_image()
    {
        using var guard = Guard();
        var add = await CliProcess.RunAsync(
            ["service", "add", "--use-existing-image", "--push", "--dir", DockerEngine.HelloWorldDirectory,
             Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"), "127.0.0.1:5000/hello:x", Service], guard.Token);
        Assert.Equal(2, add.ExitCode);
        Assert.Contains("docker push IMAGE", add.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_get_list_delete_through_the_cli_and_entries_survive_node_and_etcd_restarts()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        await using var docker = await DockerEngine.StartAsync(ct);
        await DockerEngine.PublishHelloWorldAsync(ct);
        await using var mesh = new TestMesh();
        var dataDir = Path.Combine(mesh.Directory, "registry");
        var etcdPorts = FreePorts.Take(2);
        var ports = NodePorts.Allocate();
        var node = await mesh.StartNodeAsync(ct, ports: ports, keyName: "registry", flags: RegistryFlags(dataDir, newCluster: true, etcdPorts));

        var add = await Cli(node, ct, "service", "add", "--dir", DockerEngine.HelloWorldDirectory,
            Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"), "physarum-test/hello-world-server:cli", Service);
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Contains("registered hello-world-server", add.Output);

        var get = await Cli(node, ct, "service", "get", Service);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("NetworkSoftReq: RTT 100 ms", get.Output);
        Assert.Contains("NetworkHardReq: RTT 1000 ms", get.Output);
        Assert.Contains(Service, (await Cli(node, ct, "service", "list")).Output);

        // The node stops and starts again on the same data: the entry is still there.
        Assert.Equal(0, await node.StopAsync(ct));
        node = await mesh.StartNodeAsync(ct, ports: ports, keyName: "registry", flags: RegistryFlags(dataDir, newCluster: true, etcdPorts));
        Assert.Contains("NetworkHardReq: RTT 1000 ms", (await Cli(node, ct, "service", "get", Service)).Output);

        // etcd dies under the node: the node restarts it and the entry is still there.
        var etcdPid = int.Parse((await File.ReadAllTextAsync(Path.Combine(dataDir, "etcd.pid"), ct)).Trim(), CultureInfo.InvariantCulture);
        Process.GetProcessById(etcdPid).Kill();
        // list reads etcd itself (get may be answered by the grain's loaded state).
        await Eventually.HoldsAsync(async () => (await Cli(node, ct, "service", "list")) is { ExitCode: 0 } r && r.Output.Contains(Service), ct, "etcd is back with the entry");

        var delete = await Cli(node, ct, "service", "delete", Service);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var gone = await Cli(node, ct, "service", "get", Service);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"no service named '{Service}'", gone.Error);
    }

    [Fact]
    public async Task Two_registry_nodes_serve_the_same_data_and_one_answers_with_the_other_stopped()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        await using var docker = await DockerEngine.StartAsync(ct);
        await DockerEngine.PublishHelloWorldAsync(ct);
        await using var redis = await RedisServer.StartAsync(ct);
        await using var mesh = new TestMesh { Redis = redis.Address };
        var first = await mesh.StartNodeAsync(ct, flags: RegistryFlags(Path.Combine(mesh.Directory, "a"), newCluster: true, FreePorts.Take(2)));
        var second = await mesh.StartNodeAsync(ct, flags: RegistryFlags(Path.Combine(mesh.Directory, "b"), newCluster: false, FreePorts.Take(2)));

        // The original hl-cli form: add CONFIG DIR IMAGE NAME.
        var add = await Cli(first, ct, "add", Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"),
            DockerEngine.HelloWorldDirectory, "physarum-test/hello-world-server:two", Service);
        Assert.True(add.ExitCode == 0, add.ToString());
        var viaSecond = await Cli(second, ct, "service", "get", Service);
        Assert.True(viaSecond.ExitCode == 0, viaSecond.ToString());

        await first.StopAsync(ct);
        await Eventually.HoldsAsync(async () => (await Cli(second, ct, "service", "get", Service)) is { ExitCode: 0 } r && r.Output.Contains("RTT 1000 ms"), ct, "the second registry node still answers");
    }

    [Fact]
    public async Task Unknown_service_and_unreachable_etcd_give_clear_errors()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = new TestMesh();
        var dead = FreePorts.Take(1)[0];
        var node = await mesh.StartNodeAsync(ct, flags: ["-etcd-endpoints", $"http://127.0.0.1:{dead}"]);

        var unknown = await Cli(node, ct, "service", "get", "nope");
        Assert.True(unknown.ExitCode == 3, unknown.ToString());
        Assert.Contains($"127.0.0.1:{dead}", unknown.Error);

        // Nothing listens at the bootstrap: the mesh is unreachable (3), not a failed request (1).
        var nobody = await CliProcess.RunAsync(["--bootstrap", $"/ip4/127.0.0.1/tcp/{FreePorts.Take(1)[0]}/p2p/{node.PeerId}", "--psk", TestMesh.Psk, "service", "list"], ct);
        Assert.True(nobody.ExitCode == 3, nobody.ToString());
        Assert.Contains("check --bootstrap and --psk", nobody.Error, StringComparison.Ordinal);

        var badFlag = await CliProcess.RunAsync(["service", "get", "x", "--bootstrap", "/ip4/1.2.3.4/tcp/1"], ct);
        Assert.Equal(1, badFlag.ExitCode);
        Assert.Contains("/p2p/", badFlag.Error);
    }
}
