using System.Diagnostics;
using System.Globalization;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;
using Xunit.Abstractions;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// Many machines (issue 8), as separate processes on one machine with distinct ports: three nodes with Orleans membership
/// in a real Redis and a three-member etcd (one member per node). A node hosting instances is killed under load (its etcd
/// member dies with it); Redis restarts under load; the killed node comes back.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const string Hello = "Hello, world";
    private static readonly string[] Services = ["failover-a", "failover-b", "failover-c"];

    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(10));

    [Fact]
    public async Task A_node_killed_under_load_fails_only_requests_in_flight_and_the_mesh_heals_without_loss_or_orphans()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var redis = await RedisServer.StartAsync(persistent: true, ct);
        await using var cluster = await ThreeNodes.StartAsync(redis.Address, ct);
        var mesh = cluster.Mesh;
        await cluster.RegisterAsync(Services, ct);

        // Every service warm through the entry node (no allocator): its instances land on the two workers.
        foreach (var service in Services)
        {
            Assert.Equal(Hello, (await mesh.Mesh.Http.GetStringAsync(Url(cluster.Entry, service), ct)).Trim());
        }

        var hosts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in Services)
        {
            hosts[service] = Assert.Single(await mesh.ContainersAsync("physarum.service", service, ct)).Labels["physarum.node"];
        }

        // The victim is the worker hosting the most instances; the survivor must take them over.
        var victim = cluster.Workers.OrderByDescending(w => hosts.Values.Count(h => h == w.PeerId)).First();
        var survivor = cluster.Workers.Single(w => w != victim);
        var moved = hosts.Where(h => h.Value == victim.PeerId).Select(h => h.Key).ToList();
        var before = (await mesh.ContainersAsync("physarum.node", victim.PeerId, ct)).Select(c => c.ID).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"victim {victim.PeerId} hosts {string.Join(", ", moved)}; survivor {survivor.PeerId}");

        // Load through the entry's gateway (tunnel) and the survivor's (local or tunnel), every service.
        var urls = Services.SelectMany(s => new[] { Url(cluster.Entry, s), Url(survivor, s) }).ToList();
        await using var load = RequestLoop.Start(urls, workers: 6, Hello);
        await Eventually.HoldsAsync(() => load.Outcomes.Count(o => o.Succeeded) >= 60, ct);

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        await victim.Exited.WaitAsync(ct);
        var deadAt = Stopwatch.GetTimestamp();

        // Every moved service answers again from a request that started after the kill.
        await Eventually.HoldsAsync(
            () => moved.All(s => load.Outcomes.Any(o => o.Started > deadAt && o.Succeeded && o.Url.AbsolutePath.StartsWith($"/{s}/", StringComparison.Ordinal))),
            ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);

        // A Redis restart under load: the mesh goes on serving (membership is only read and written, not needed per call).
        var redisRestartedAt = Stopwatch.GetTimestamp();
        await redis.RestartAsync(ct);
        var beforeRedis = load.Outcomes.Count;
        await Eventually.HoldsAsync(() => load.Outcomes.Count >= beforeRedis + 60, ct);
        var outcomes = await load.StopAsync();

        var afterKill = outcomes.Where(o => o.Started > deadAt).ToList();
        var failed = outcomes.Where(o => !o.Succeeded).ToList();
        var firstSuccess = afterKill.Where(o => o.Succeeded && moved.Any(s => o.Url.AbsolutePath.StartsWith($"/{s}/", StringComparison.Ordinal)))
            .Min(o => o.Ended);
        output.WriteLine(Invariant($"requests: {outcomes.Count}, failed: {failed.Count} (in flight at the kill: {outcomes.Count(o => o.Started <= killedAt && o.Ended >= killedAt)}); kill → first success of a moved service: {Stopwatch.GetElapsedTime(killedAt, firstSuccess).TotalSeconds:0.00} s; slowest request after the kill: {afterKill.Max(o => Stopwatch.GetElapsedTime(o.Started, o.Ended).TotalSeconds):0.00} s"));
        foreach (var failure in failed)
        {
            output.WriteLine(Invariant($"  failed {failure.Url.AbsolutePath} started {Stopwatch.GetElapsedTime(killedAt, failure.Started).TotalSeconds:+0.00;-0.00} s from the kill: {failure.Status} {failure.Error}"));
        }

        // Only requests in flight on the killed node failed: none that started after it was dead, none after the Redis restart.
        Assert.DoesNotContain(failed, o => o.Started > deadAt);
        Assert.True(outcomes.Count(o => o.Started > redisRestartedAt) >= 60);

        // The moved services run on the survivor now, the registry lost nothing and still takes writes (2 of 3 etcd members).
        foreach (var service in moved)
        {
            var containers = await mesh.ContainersAsync("physarum.service", service, ct);
            Assert.Contains(containers, c => c.Labels["physarum.node"] == survivor.PeerId && c.State == "running");
        }

        var grains = await mesh.Mesh.ClientAsync(ct);
        foreach (var service in Services)
        {
            Assert.NotNull(await grains.GetServiceGrain(service).Get(ct));
        }

        await cluster.RegisterAsync(["failover-late"], ct);
        Assert.Equal(Hello, (await mesh.Mesh.Http.GetStringAsync(Url(cluster.Entry, "failover-late"), ct)).Trim());

        // The killed node comes back (same identity, data and etcd member; membership from the restarted Redis): what its
        // crashed run left is removed, and it serves through its gateway.
        var back = await cluster.RestartAsync(victim, ct);
        await Eventually.HoldsAsync(
            async () => !(await mesh.ContainersAsync("physarum.node", victim.PeerId, ct)).Any(c => before.Contains(c.ID)),
            ct, "the restarted node removes the containers its crashed run left");
        foreach (var service in Services)
        {
            Assert.Equal(Hello, (await mesh.Mesh.Http.GetStringAsync(Url(back, service), ct)).Trim());
        }

        Assert.DoesNotContain(await mesh.ContainersAsync("physarum.node", victim.PeerId, ct), c => before.Contains(c.ID));
    }

    [Fact]
    public async Task A_two_minute_soak_over_every_gateway_with_a_node_restarted_midway_fails_at_most_what_was_in_flight()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var redis = await RedisServer.StartAsync(persistent: true, ct);
        await using var cluster = await ThreeNodes.StartAsync(redis.Address, ct);
        var services = Enumerable.Range(0, 10).Select(i => $"soak-{i}").ToList();
        await cluster.RegisterAsync(services, ct);

        // The worker that gets restarted: its gateway leaves the loop while it is down (clients of a dead gateway go
        // elsewhere); every other path keeps going, through its tunnels too.
        var restarted = cluster.Workers[0];
        List<Uri> Urls(IEnumerable<NodeProcess> nodes) => [.. nodes.SelectMany(n => services.Select(s => Url(n, s)))];
        await using var load = RequestLoop.Start(Urls([cluster.Entry, .. cluster.Workers]), workers: 4, Hello, pause: TimeSpan.FromMilliseconds(25));
        var soak = Stopwatch.StartNew();

        await Task.Delay(TimeSpan.FromMinutes(1), ct);
        load.SetUrls(Urls([cluster.Entry, cluster.Workers[1]]));
        var stopping = Stopwatch.GetTimestamp();
        Assert.Equal(0, await restarted.StopAsync(ct));
        var stopped = Stopwatch.GetTimestamp();
        var back = await cluster.RestartAsync(restarted, ct);
        load.SetUrls(Urls([cluster.Entry, .. cluster.Workers]));
        var rejoined = Stopwatch.GetTimestamp();

        await Task.Delay(TimeSpan.FromMinutes(2) - soak.Elapsed, ct);
        var outcomes = await load.StopAsync();

        var failed = outcomes.Where(o => !o.Succeeded).ToList();
        var inFlight = outcomes.Count(o => o.Started <= stopped && o.Ended >= stopping);
        var perService = services.Select(s => outcomes.Count(o => o.Succeeded && o.Url.AbsolutePath == $"/{s}/")).ToList();
        output.WriteLine(Invariant($"soak {soak.Elapsed.TotalSeconds:0} s: {outcomes.Count} requests, {failed.Count} failed, {inFlight} in flight while {restarted.PeerId} stopped ({Stopwatch.GetElapsedTime(stopping, stopped).TotalSeconds:0.0} s), back after {Stopwatch.GetElapsedTime(stopped, rejoined).TotalSeconds:0.0} s; successes per service {perService.Min()}..{perService.Max()}; p99 latency {Percentile(outcomes, 0.99):0.000} s"));
        foreach (var failure in failed)
        {
            output.WriteLine(Invariant($"  failed {failure.Url} started {Stopwatch.GetElapsedTime(stopping, failure.Started).TotalSeconds:+0.00;-0.00} s from the stop: {failure.Status} {failure.Error}"));
        }

        // Errors bounded by what was in flight on the stopping node, none outside its stop, every service served throughout.
        Assert.True(failed.Count <= inFlight, $"{failed.Count} failures, {inFlight} requests in flight during the stop");
        Assert.DoesNotContain(failed, o => o.Ended < stopping || o.Started > stopped);
        Assert.All(perService, n => Assert.True(n > 0));
        Assert.Contains(outcomes, o => o.Succeeded && o.Started > rejoined && o.Url.Port == back.Ports.Proxy);
    }

    private static double Percentile(IReadOnlyList<LoopOutcome> outcomes, double p)
    {
        var sorted = outcomes.Select(o => Stopwatch.GetElapsedTime(o.Started, o.Ended).TotalSeconds).Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    private static Uri Url(NodeProcess node, string service) => new(node.Ports.ProxyUri, $"{service}/");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Three nodes in one Redis-membership cluster, each with an etcd member: the entry (new etcd cluster, no allocator, the
/// overlay bootstrap) and two workers (allocators) that join its registry. Why the entry runs no instances: requests
/// through it always cross the tunnel, so a killed worker is felt on the remote path too.
/// </summary>
internal sealed class ThreeNodes : IAsyncDisposable
{
    private readonly Dictionary<NodeProcess, (NodePorts Ports, string Key, string[] Flags)> _starts = [];
    private readonly List<(string Name, NodeProcess Node)> _everyNode = [];

    private ThreeNodes(AllocatorMesh mesh) => Mesh = mesh;

    public AllocatorMesh Mesh { get; }

    public NodeProcess Entry => Mesh.Registry;

    public List<NodeProcess> Workers { get; } = [];

    public static async Task<ThreeNodes> StartAsync(string redis, CancellationToken ct)
    {
        var cluster = new ThreeNodes(await AllocatorMesh.StartWithRedisAsync(ct, redis, registryPorts: null, "-no-allocator"));
        cluster._everyNode.Add(("entry", cluster.Entry));
        for (var i = 0; i < 2; i++)
        {
            var etcd = FreePorts.Take(2);
            string[] flags =
            [
                "-etcd-ip", "127.0.0.1",
                "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
                "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
                "-data-dir", Path.Combine(cluster.Mesh.Mesh.Directory, $"worker{i}"),
            ];
            var ports = NodePorts.Allocate();
            var worker = await cluster.Mesh.Mesh.StartNodeAsync(ct, ports: ports, keyName: $"worker{i}", flags: flags);
            cluster._starts[worker] = (ports, $"worker{i}", flags);
            cluster.Workers.Add(worker);
            cluster._everyNode.Add(($"worker{i}", worker));
        }

        return cluster;
    }

    /// <summary>Builds the HelloWorld image once and registers it under every name in <paramref name="services"/>.</summary>
    public async Task RegisterAsync(IEnumerable<string> services, CancellationToken ct)
    {
        var names = services.ToList();
        var grains = await Mesh.Mesh.ClientAsync(ct);
        var template = await grains.GetServiceGrain(ImageService).Get(ct) ?? await Mesh.AddHelloWorldAsync(ImageService, ct);
        foreach (var name in names)
        {
            await Mesh.RegisterAsync(template.Info with { Name = name }, ct);
        }
    }

    /// <summary>Starts <paramref name="node"/> again with its ports, key and data (after it was killed or stopped).</summary>
    public async Task<NodeProcess> RestartAsync(NodeProcess node, CancellationToken ct)
    {
        var (ports, key, flags) = _starts[node];
        var index = Workers.IndexOf(node);
        Mesh.Mesh.Nodes.Remove(node);
        await node.DisposeAsync();
        var back = await Mesh.Mesh.StartNodeAsync(ct, bootstrap: Entry.Address, ports: ports, keyName: key, flags: flags);
        _starts.Remove(node);
        _starts[back] = (ports, key, flags);
        Workers[index] = back;
        _everyNode.Add(($"{key}-restarted", back));
        return back;
    }

    /// <summary>Stops everything; every node's output (the killed ones' too) goes to artifacts/test-logs/ for diagnosis.</summary>
    public async ValueTask DisposeAsync()
    {
        var directory = Path.Combine(RepositoryRoot.Path, "artifacts", "test-logs", "failover");
        Directory.CreateDirectory(directory);
        foreach (var (name, node) in _everyNode)
        {
            await File.WriteAllLinesAsync(Path.Combine(directory, $"{name}.log"), node.Lines);
        }

        await Mesh.DisposeAsync();
    }

    // The service whose registration carries the built image; the others copy it.
    private const string ImageService = "failover-image";
}
