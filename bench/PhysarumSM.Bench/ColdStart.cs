using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Bench;

/// <summary>
/// Allocator cold start (issue 5): a real physarum-node resolving a registered service until its container answers HTTP,
/// against `docker run` of the same image until its first 200 (plain, and with --init as the allocator's containers run),
/// interleaved in one run; plus the warm-pool start (an idle-culled, paused container resumed by the next resolve).
/// Why the engine's own created/started stamps and the node's allocation histogram: together they split each start into
/// control plane, engine create+start and service readiness without instrumenting anything.
/// </summary>
internal sealed class ColdStart : IAsyncDisposable
{
    private const string Psk = "coldstart-bench";
    private const string Service = "bench-hello";
    private const string ImageTag = "physarum-bench/hello-world-server:coldstart";

    // AllocatorOptions.ServicePort's default: the port the allocator gives the sample as SERVICE_PORT.
    private const int ServicePort = 8080;
    private const int ProxyPort = 4200;

    // Marks the baseline's containers so cleanup finds them; not a physarum.* label, so no node ever adopts them.
    private const string BenchLabel = "physarum.bench";
    private const double ColdTargetRatio = 1.2;
    private const double WarmTargetSeconds = 0.25;
    private const double AnchorTotalSeconds = 2.17;
    private const double AnchorAllocationSeconds = 1.58;

    // The bench's own readiness poll (the baselines, and after a resolve); the allocator's probe is ContainerRuntimeOptions.ProbeInterval.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PollAttemptTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    private readonly DockerEngine _docker;
    private readonly ContainerRuntime _inspector;
    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-coldstart-").FullName;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private NodeProcess? _node;
    private IHost? _client;
    private IClusterClient? _grains;
    private InstanceInfo? _live;
    private string _image = "";
    private string _gatewayAddress = "";

    private ColdStart(DockerEngine docker)
    {
        _docker = docker;
        // Inspection only (state and the engine's timestamps); the baseline creates and starts through Docker.DotNet itself.
        _inspector = new ContainerRuntime(docker.Client);
    }

    private IClusterClient Grains => _grains ?? throw new InvalidOperationException("no Orleans client yet");

    private NodeProcess Node => _node ?? throw new InvalidOperationException("no node yet");

    /// <summary>Parses `coldstart [--runs N] [--out FILE]`, runs the measurement, prints the Markdown report; 0 on success.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 7;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                default: await Console.Error.WriteLineAsync($"coldstart: unknown argument {args[i]}; usage: coldstart [--runs N] [--out FILE]"); return 2;
            }
        }

        if (runs < 1)
        {
            await Console.Error.WriteLineAsync("coldstart: --runs must be at least 1");
            return 2;
        }

        return await BenchCommand.RunAsync("coldstart", TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(30 * runs), output, async ct =>
        {
            Progress("preparing: etcd, Docker engine, base image, HelloWorld sample");
            await EtcdServer.EnsureInstalledAsync(ct);
            await using var bench = new ColdStart(await DockerEngine.StartAsync(ct));
            try
            {
                await DockerEngine.PublishHelloWorldAsync(ct);
                return await bench.MeasureAsync(runs, ct);
            }
            catch
            {
                bench.DumpNodeTail();
                throw;
            }
        });
    }

    /// <summary>Stops the live instance, the client and the node, then force-removes every container this run made.</summary>
    public async ValueTask DisposeAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (_live is { } live && _grains is { } grains)
        {
            await BestEffortAsync(() => grains.GetInstanceGrain(InstanceKey.Parse(live.InstanceId)).Stop(limit.Token));
        }

        if (_client is { } client)
        {
            await BestEffortAsync(() => client.StopAsync(limit.Token));
            client.Dispose();
        }

        var nodeId = _node is { } node && node.Lines.Any(l => l.StartsWith("listening: ", StringComparison.Ordinal)) ? node.PeerId : null;
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        // Paused warm-pool containers outlive a stopped node by design (its next start sweeps them): this run has no next start.
        var labels = new List<string> { BenchLabel };
        if (nodeId is not null)
        {
            labels.Add($"{ContainerLabels.Node}={nodeId}");
        }

        await Cleanup.RemoveContainersAsync(_docker.Client, labels, limit.Token);

        _inspector.Dispose();
        _http.Dispose();
        await _docker.DisposeAsync();
        await BestEffortAsync(() =>
        {
            Directory.Delete(_directory, recursive: true);
            return Task.CompletedTask;
        });
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[coldstart {DateTime.Now:HH:mm:ss}] {message}");

    private static readonly BenchCleanup Cleanup = new(Progress);

    private static Task BestEffortAsync(Func<Task> action) => Cleanup.BestEffortAsync(action);

    private static double Ms(TimeSpan span) => span.TotalMilliseconds;

    private async Task<string> MeasureAsync(int runs, CancellationToken ct)
    {
        await StartNodeAsync(ct);
        _gatewayAddress = await _inspector.GetGatewayAddressAsync(ct);

        Progress($"registering {Service} ({ImageTag}) through the CLI");
        var add = await CliProcess.RunAsync(
            ["--bootstrap", Node.Address, "--psk", Psk, "service", "add", "--dir", DockerEngine.HelloWorldDirectory,
             Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"), ImageTag, Service], ct);
        if (add.ExitCode != 0)
        {
            throw new InvalidOperationException($"physarum service add failed: {add}");
        }

        await ConnectClientAsync(ct);
        var record = await Grains.GetServiceGrain(Service).Get(ct) ?? throw new InvalidOperationException($"{Service} is not registered after service add");
        _image = record.Info.DockerHash;
        Progress($"image {_image}; warm-up iteration (discarded), then {runs} measured");

        var warmup = await IterationAsync(0, ct);
        var iterations = new List<Iteration>();
        for (var i = 1; i <= runs; i++)
        {
            var iteration = await IterationAsync(i, ct);
            iterations.Add(iteration);
            Progress(string.Create(CultureInfo.InvariantCulture,
                $"run {i}/{runs}: docker run {iteration.Baseline.TotalMs:0} ms, --init {iteration.WithInit.TotalMs:0} ms, cold {iteration.Cold.TotalMs:0} ms, warm {iteration.Warm.TotalMs:0} ms{(iteration.Warm.Resumed ? "" : " (NOT a warm start)")}, resolve of a running instance {iteration.HotResolveMs:0.0} ms"));
        }

        return await RenderAsync(iterations, warmup, ct);
    }

    private async Task StartNodeAsync(CancellationToken ct)
    {
        var ports = NodePorts.Allocate();
        var etcd = FreePorts.Take(2);
        var extra = new[]
        {
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(_directory, "data"),
            // Short idle timeout so the warm-pool measurement does not wait the default minute for a cull.
            "-idle-timeout", "2s", "-warm-pool-ttl", "5m",
        };
        Progress("starting physarum-node (registry + allocator)");
        _node = NodeProcess.Start(ports, NodeProcess.Flags(ports, Path.Combine(_directory, "node.key"), primarySiloPort: ports.Silo, Psk, extra));
        await _node.WaitReadyAsync(ct);
    }

    private async Task ConnectClientAsync(CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Warnings only, and to stderr: stdout carries the report.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, Node.Ports.Gateway));
            client.Configure<ClusterOptions>(o => { o.ClusterId = "physarum"; o.ServiceId = "physarum"; });
        });
        _client = builder.Build();
        await _client.StartAsync(ct);
        _grains = _client.Services.GetRequiredService<IClusterClient>();
    }

    // Baseline and cold alternate which goes first, so neither always runs on the machine the other just warmed.
    private async Task<Iteration> IterationAsync(int index, CancellationToken ct)
    {
        var baselineFirst = index % 2 == 0;
        var baseline = baselineFirst ? await DockerRunAsync(init: false, ct) : null;
        var withInit = baselineFirst ? await DockerRunAsync(init: true, ct) : null;
        var cold = await ColdAsync(ct);
        var hot = await HotResolveAsync(cold.ContainerId, ct);
        var warm = await WarmAsync(cold.ContainerId, ct);
        await StopLiveAsync(ct);
        withInit ??= await DockerRunAsync(init: true, ct);
        baseline ??= await DockerRunAsync(init: false, ct);
        return new Iteration(baseline, withInit, cold, warm, hot);
    }

    /// <summary>
    /// `docker run -d [--init] -p 127.0.0.1:PORT:8080 -e SERVICE_PORT=8080 … IMAGE`, timed from create to the first 200. With
    /// <paramref name="init"/> the container gets the engine's init as PID 1, as the allocator's do: the allocator's cost without its own choices.
    /// </summary>
    private async Task<Start> DockerRunAsync(bool init, CancellationToken ct)
    {
        var hostPort = FreePorts.Take(1)[0];
        var portKey = $"{ServicePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var parameters = new CreateContainerParameters
        {
            Image = _image,
            // The environment contract the allocator gives the same image (values do not change what the sample does).
            Env =
            [
                $"{ServiceEnvironment.ServicePort}={ServicePort.ToString(CultureInfo.InvariantCulture)}",
                $"{ServiceEnvironment.ProxyIp}={_gatewayAddress}",
                $"{ServiceEnvironment.ProxyPort}={ProxyPort.ToString(CultureInfo.InvariantCulture)}",
                $"{ServiceEnvironment.P2PBootstraps}={Node.Address}",
                $"{ServiceEnvironment.P2PPsk}={Psk}",
            ],
            Labels = new Dictionary<string, string> { [BenchLabel] = "baseline" },
            ExposedPorts = new Dictionary<string, EmptyStruct> { [portKey] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>>
                {
                    [portKey] = [new PortBinding { HostIP = "127.0.0.1", HostPort = hostPort.ToString(CultureInfo.InvariantCulture) }],
                },
                Init = init ? true : null,
            },
        };
        var endpoint = new Uri($"http://127.0.0.1:{hostPort.ToString(CultureInfo.InvariantCulture)}/");

        var startedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var created = await _docker.Client.Containers.CreateContainerAsync(parameters, ct);
        try
        {
            await _docker.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct);
            var callDone = watch.Elapsed;
            var polls = await PollUntilOkAsync(endpoint, ct);
            var total = watch.Elapsed;
            return await StampAsync(created.ID, startedAt, callDone, total, polls, resumed: false, ct);
        }
        finally
        {
            await _docker.Client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }

    /// <summary>Resolve with no container of the service anywhere on the engine, timed until the instance's first 200.</summary>
    private async Task<Start> ColdAsync(CancellationToken ct)
    {
        var existing = await _inspector.ListAsync(new Dictionary<string, string> { [ContainerLabels.Service] = Service }, ct);
        if (existing.Count > 0)
        {
            throw new InvalidOperationException($"not a cold start: {existing.Count} container(s) of {Service} exist ({string.Join(", ", existing.Select(c => $"{c.Id[..12]} {c.State}"))})");
        }

        var (info, start) = await TimedResolveAsync("started", ct);
        if (info.Adopted)
        {
            throw new InvalidOperationException($"not a cold start: instance {info.InstanceId} adopted container {info.ContainerId[..12]}");
        }

        return start;
    }

    /// <summary>Resolve while the instance runs: the Orleans round trip and the resolution policy, no container work.</summary>
    private async Task<double> HotResolveAsync(string containerId, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var info = await Grains.GetServiceGrain(Service).Resolve(Node.PeerId, ct);
        var elapsed = Ms(watch.Elapsed);
        if (info.ContainerId != containerId)
        {
            throw new InvalidOperationException($"resolving a running service gave another container ({info.ContainerId[..12]}, expected {containerId[..12]})");
        }

        return elapsed;
    }

    /// <summary>Waits for the idle cull to pause <paramref name="containerId"/>, then times Resolve until the first 200.</summary>
    private async Task<Start> WarmAsync(string containerId, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(StartLimit);
        while ((await _inspector.InspectAsync(containerId, limit.Token))?.State != ContainerRunState.Paused)
        {
            await Task.Delay(50, limit.Token);
        }

        // A real warm start comes long after the cull; give the deactivation a moment to reach the service grain
        // (InstanceGone), so this does not time a Resolve queued behind a still-deactivating instance.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        var (info, start) = await TimedResolveAsync("warm", ct);
        var resumed = info.ContainerId == containerId && info.Adopted;
        if (!resumed)
        {
            Progress($"warning: the warm resolve got container {info.ContainerId[..12]} (adopted: {info.Adopted}), not the paused {containerId[..12]}");
        }

        return start with { Resumed = resumed };
    }

    /// <summary>
    /// Resolve from the node itself until the instance's first 200. The node's own allocation histogram, read before and
    /// after (outside the timed window), says how much of the call was the launcher's work on the node.
    /// </summary>
    private async Task<(InstanceInfo Info, Start Start)> TimedResolveAsync(string outcome, CancellationToken ct)
    {
        var allocatedBefore = await AllocationSecondsAsync(outcome, ct);
        var startedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var info = await Grains.GetServiceGrain(Service).Resolve(Node.PeerId, ct);
        _live = info;
        var callDone = watch.Elapsed;
        var polls = await PollUntilOkAsync(info.Endpoint, ct);
        var total = watch.Elapsed;
        var allocatedMs = (await AllocationSecondsAsync(outcome, ct) - allocatedBefore) * 1000;
        var start = await StampAsync(info.ContainerId, startedAt, callDone, total, polls, resumed: false, ct);
        return (info, start with { AllocationMs = allocatedMs });
    }

    /// <summary>physarum_allocation_seconds_sum of the service for <paramref name="outcome"/> on the node's /metrics (0 before the first).</summary>
    private async Task<double> AllocationSecondsAsync(string outcome, CancellationToken ct)
    {
        var samples = await Node.ScrapeAsync(_http, ct);
        return samples
            .Where(m => m.Name == "physarum_allocation_seconds_sum"
                        && m.Labels.GetValueOrDefault("service") == Service
                        && m.Labels.GetValueOrDefault("outcome") == outcome)
            .Sum(m => m.Value);
    }

    // Stop removes the container at once (only idle culls park), so the next cold run finds nothing to reuse.
    private async Task StopLiveAsync(CancellationToken ct)
    {
        if (_live is { } live)
        {
            await Grains.GetInstanceGrain(InstanceKey.Parse(live.InstanceId)).Stop(ct);
            _live = null;
        }
    }

    /// <summary>GETs <paramref name="endpoint"/> every <see cref="PollInterval"/> until a 200; returns the attempts.</summary>
    private async Task<int> PollUntilOkAsync(Uri endpoint, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(StartLimit);
        var attempts = 0;
        while (true)
        {
            attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
            attempt.CancelAfter(PollAttemptTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
            // A fresh connection per attempt: the engine's port proxy accepts before the service listens, then drops it.
            request.Headers.ConnectionClose = true;
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return attempts;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException) when (!limit.IsCancellationRequested)
            {
                // accepted but no answer within the attempt's limit
            }

            await Task.Delay(PollInterval, limit.Token);
        }
    }

    /// <summary>Adds the engine's created/started stamps (same machine, same clock) to the bench's own timings.</summary>
    private async Task<Start> StampAsync(string containerId, DateTimeOffset startedAt, TimeSpan callDone, TimeSpan total, int polls, bool resumed, CancellationToken ct)
    {
        var details = await _inspector.InspectAsync(containerId, ct) ?? throw new InvalidOperationException($"container {containerId[..12]} vanished before it was inspected");
        return new Start(
            Ms(total),
            Ms(callDone),
            Ms(details.Created - startedAt),
            details.StartedAt is { } started ? Ms(started - startedAt) : double.NaN,
            polls,
            containerId,
            resumed);
    }

    private async Task<string> RenderAsync(List<Iteration> runs, Iteration warmup, CancellationToken ct)
    {
        var version = await _docker.Client.System.GetVersionAsync(ct);
        var baseline = runs.Select(r => r.Baseline).ToList();
        var withInit = runs.Select(r => r.WithInit).ToList();
        var cold = runs.Select(r => r.Cold).ToList();
        var warm = runs.Select(r => r.Warm).ToList();
        var baseMedian = Median(baseline.Select(s => s.TotalMs));
        var initMedian = Median(withInit.Select(s => s.TotalMs));
        var coldMedian = Median(cold.Select(s => s.TotalMs));
        var warmMedian = Median(warm.Select(s => s.TotalMs));
        var resumed = warm.Count(s => s.Resumed);
        var coldRatio = coldMedian / baseMedian;
        // Each iteration's cold start against its own baseline: machine noise that hits both cancels out.
        var pairedRatio = Median(runs.Select(r => r.Cold.TotalMs / r.Baseline.TotalMs));
        var inv = CultureInfo.InvariantCulture;

        var text = new StringBuilder();
        text.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, Docker engine {version.Version}. One physarum-node (registry + allocator, `-idle-timeout 2s -warm-pool-ttl 5m`), service `{Service}` = samples/HelloWorld. {runs.Count} interleaved iterations (the `docker run` baselines and the cold/warm pair alternate which goes first) after one discarded warm-up iteration; every time is to the first HTTP 200, polled every {Ms(PollInterval):0} ms on a fresh connection.");
        text.AppendLine();
        text.AppendLine("| measurement | median | min | max | against |");
        text.AppendLine("|---|---|---|---|---|");
        Row(text, "`docker run` (create + start + poll) → 200, baseline", baseline.Select(s => s.TotalMs), "1.00");
        Row(text, "`docker run --init` → 200 (the allocator's container settings)", withInit.Select(s => s.TotalMs),
            string.Create(inv, $"{initMedian / baseMedian:0.00}× docker run"));
        Row(text, "cold: `Resolve` (new container) → 200", cold.Select(s => s.TotalMs),
            string.Create(inv, $"{coldRatio:0.00}× docker run (target ≤ {ColdTargetRatio:0.0}×: {(coldRatio <= ColdTargetRatio ? "met" : "not met")}); paired, median of per-iteration ratios: {pairedRatio:0.00}×; {coldMedian / initMedian:0.00}× docker run --init"));
        Row(text, "warm pool: `Resolve` (unpause) → 200", warm.Select(s => s.TotalMs),
            string.Create(inv, $"target ≤ {WarmTargetSeconds:0.00} s: {(warmMedian / 1000 <= WarmTargetSeconds ? "met" : "not met")}; {resumed}/{warm.Count} resumed the paused container"));
        Row(text, "`Resolve` of a running instance (grain round trip only)", runs.Select(r => r.HotResolveMs), "");
        text.AppendLine();
        text.AppendLine(inv, $"Anchor (original paper, end to end): {AnchorTotalSeconds:0.00} s median, {AnchorAllocationSeconds:0.00} s of it allocation; cold here {coldMedian / 1000:0.000} s = {coldMedian / 1000 / AnchorTotalSeconds:0.00}× the end-to-end and {coldMedian / 1000 / AnchorAllocationSeconds:0.00}× the allocation figure.");
        text.AppendLine();
        text.AppendLine("Where the time goes (medians in ms from the first call, per phase; the engine's `Created` and `State.StartedAt` stamps split each start; medians of phases need not add up to the median total):");
        text.AppendLine();
        text.AppendLine("| phase | docker run | docker run --init | cold resolve | warm resolve |");
        text.AppendLine("|---|---|---|---|---|");
        text.AppendLine(inv, $"| first call → engine `Created` (control plane before create) | {Median(baseline.Select(s => s.CreatedMs)):0.0} | {Median(withInit.Select(s => s.CreatedMs)):0.0} | {Median(cold.Select(s => s.CreatedMs)):0.0} | – |");
        text.AppendLine(inv, $"| `Created` → `StartedAt` (engine create + start) | {Median(baseline.Select(s => s.StartedMs - s.CreatedMs)):0.0} | {Median(withInit.Select(s => s.StartedMs - s.CreatedMs)):0.0} | {Median(cold.Select(s => s.StartedMs - s.CreatedMs)):0.0} | – |");
        text.AppendLine(inv, $"| `StartedAt` → first 200 (service start + readiness detection) | {Median(baseline.Select(s => s.TotalMs - s.StartedMs)):0.0} | {Median(withInit.Select(s => s.TotalMs - s.StartedMs)):0.0} | {Median(cold.Select(s => s.TotalMs - s.StartedMs)):0.0} | – |");
        text.AppendLine(inv, $"| of which after the call returned (start call / `Resolve`) | {Median(baseline.Select(s => s.TotalMs - s.CallMs)):0.0} ({Median(baseline.Select(s => (double)s.Polls)):0} GETs) | {Median(withInit.Select(s => s.TotalMs - s.CallMs)):0.0} ({Median(withInit.Select(s => (double)s.Polls)):0} GETs) | {Median(cold.Select(s => s.TotalMs - s.CallMs)):0.0} ({Median(cold.Select(s => (double)s.Polls)):0} GET) | {Median(warm.Select(s => s.TotalMs - s.CallMs)):0.0} ({Median(warm.Select(s => (double)s.Polls)):0} GET) |");
        text.AppendLine(inv, $"| the call itself (create+start / `Resolve`) | {Median(baseline.Select(s => s.CallMs)):0.0} | {Median(withInit.Select(s => s.CallMs)):0.0} | {Median(cold.Select(s => s.CallMs)):0.0} | {Median(warm.Select(s => s.CallMs)):0.0} |");
        text.AppendLine(inv, $"| of the call, in the node: the launcher, `physarum_allocation_seconds` (label list, unpause or create+start, readiness probes) | – | – | {Median(cold.Select(s => s.AllocationMs)):0.0} | {Median(warm.Select(s => s.AllocationMs)):0.0} |");
        text.AppendLine(inv, $"| of the call, the rest: client → gateway → service grain → instance grain and back, registry read | – | – | {Median(cold.Select(s => s.CallMs - s.AllocationMs)):0.0} | {Median(warm.Select(s => s.CallMs - s.AllocationMs)):0.0} |");
        text.AppendLine();
        text.AppendLine(inv, $"Every run (ms): docker run {List(baseline.Select(s => s.TotalMs))}; docker run --init {List(withInit.Select(s => s.TotalMs))}; cold {List(cold.Select(s => s.TotalMs))}; warm {List(warm.Select(s => s.TotalMs))}. Warm-up iteration (discarded, first resolve after the node started): docker run {warmup.Baseline.TotalMs:0}, cold {warmup.Cold.TotalMs:0}, warm {warmup.Warm.TotalMs:0}, resolve of a running instance {warmup.HotResolveMs:0.0}.");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, IEnumerable<double> values, string against)
    {
        var list = values.ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Seconds(Median(list))} | {Seconds(list.Min())} | {Seconds(list.Max())} | {against} |");
    }

    private static string Seconds(double ms) => ms >= 100
        ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.000} s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} ms");

    private static string List(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private void DumpNodeTail()
    {
        if (_node is { } node)
        {
            Console.Error.WriteLine("--- physarum-node, last 40 lines");
            foreach (var line in node.Lines.TakeLast(40))
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    /// <summary>One timed start: milliseconds from the first call to the first 200, to the call's return, and to the engine's stamps.</summary>
    private sealed record Start(double TotalMs, double CallMs, double CreatedMs, double StartedMs, int Polls, string ContainerId, bool Resumed)
    {
        /// <summary>The node's own measure of the activation (launcher: adopt/warm/run, then readiness); NaN for `docker run`.</summary>
        public double AllocationMs { get; init; } = double.NaN;
    }

    /// <summary>One interleaved iteration: the baselines (plain and with --init), the cold and warm starts, and a resolve of the running instance.</summary>
    private sealed record Iteration(Start Baseline, Start WithInit, Start Cold, Start Warm, double HotResolveMs);
}
