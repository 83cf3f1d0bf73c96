using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PhysarumSM.TestKit;

/// <summary>
/// A real physarum-node process on loopback with its own ports, for tests that need the whole node
/// (flags, overlay, silo, metrics). Output lines are kept so tests can check what the node said.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(Process process, NodePorts ports)
    {
        _process = process;
        Ports = ports;
    }

    public NodePorts Ports { get; }

    /// <summary>The node's full multiaddr (with /p2p/), as printed on its "listening:" line.</summary>
    public string Address => Lines.Select(l => ListeningLine().Match(l)).First(m => m.Success).Groups[1].Value;

    public string PeerId => Address[(Address.LastIndexOf('/') + 1)..];

    /// <summary>Everything the node wrote to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Lines => _output.ToArray();

    public Task<int> Exited => _exited.Task;

    /// <summary>Where /metrics is served.</summary>
    public Uri MetricsUri => new($"http://127.0.0.1:{Ports.Metrics}/metrics");

    /// <summary>The node's resident memory now (VmRSS), for bounded-memory checks.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Starts physarum-node with <paramref name="args"/>; the dll must sit beside the test assembly.</summary>
    public static NodeProcess Start(NodePorts ports, IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Start(ports, args, environment, networkNamespace: null);

    /// <summary>As <see cref="Start(NodePorts, IEnumerable{string}, IDictionary{string, string}?)"/>, inside <paramref name="networkNamespace"/> when given (`ip netns exec` runs the node itself, so the pid is the node's).</summary>
    public static NodeProcess Start(NodePorts ports, IEnumerable<string> args, IDictionary<string, string>? environment, NetworkNamespace? networkNamespace)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "physarum-node.dll");
        var info = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in networkNamespace?.Prefix("dotnet") ?? [])
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("P2P_PSK");
        info.Environment.Remove("P2P_BOOTSTRAPS");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process, ports);
        process.OutputDataReceived += (_, e) => node.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => node.Collect(e.Data);
        // WaitForExit() also waits for the redirected output to drain, so Lines is complete on exit.
        process.Exited += (_, _) => Task.Run(() =>
        {
            process.WaitForExit();
            node._exited.TrySetResult(process.ExitCode);
        });
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Standard flags for a test node: its ports, a key file, and the shared primary silo.</summary>
    public static List<string> Flags(NodePorts ports, string keyFile, int? primarySiloPort, string? psk, params string[] extra)
    {
        var flags = new List<string>
        {
            "-p2p-listen-addr", $"127.0.0.1:{ports.P2p}",
            "-prom-listen-addr", $"127.0.0.1:{ports.Metrics}",
            "-silo-port", ports.Silo.ToString(CultureInfo.InvariantCulture),
            "-gateway-port", ports.Gateway.ToString(CultureInfo.InvariantCulture),
            "-keyfile", keyFile,
        };
        if (ports.Proxy != 0)
        {
            flags.AddRange(["-proxy-listen-addr", $"127.0.0.1:{ports.Proxy}"]);
        }

        if (ports.Admin != 0)
        {
            flags.AddRange(["-admin-listen-addr", $"127.0.0.1:{ports.Admin}"]);
        }

        if (primarySiloPort is not null)
        {
            flags.AddRange(["-primary-silo", $"127.0.0.1:{primarySiloPort}"]);
        }

        if (psk is not null)
        {
            flags.AddRange(["-psk", psk]);
        }

        flags.AddRange(extra);
        return flags;
    }

    /// <summary>Waits for "physarum-node ready"; throws with the node's output if it exits first.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var done = await Task.WhenAny(_ready.Task, _exited.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (done == _exited.Task)
        {
            throw new InvalidOperationException($"physarum-node exited with {_exited.Task.Result} before it was ready:\n{string.Join('\n', Lines)}");
        }
    }

    /// <summary>Scrapes /metrics once.</summary>
    public async Task<IReadOnlyList<MetricSample>> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(MetricsUri, cancellationToken).ConfigureAwait(false);
        return MetricSample.Parse(text);
    }

    /// <summary>SIGKILL, as a crash would.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, and waits for the exit code.</summary>
    public async Task<int> StopAsync(CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
        {
            _ = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        }

        return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line == "physarum-node ready")
        {
            _ready.TrySetResult();
        }
    }

    [GeneratedRegex(@"^listening: (/ip4/127\.0\.0\.1/\S+)")]
    private static partial Regex ListeningLine();
}

/// <summary>
/// The ports of one test node: overlay, metrics, Orleans silo and client gateway, its HTTP gateway (<see cref="Proxy"/>)
/// and its dashboard and admin API (<see cref="Admin"/>).
/// </summary>
public sealed record NodePorts(int P2p, int Metrics, int Silo, int Gateway)
{
    /// <summary>The HTTP gateway port (-proxy-listen-addr); 0 = not set (the node's default 4200).</summary>
    public int Proxy { get; init; }

    /// <summary>The HTTP gateway's base address.</summary>
    public Uri ProxyUri => new($"http://127.0.0.1:{Proxy}/");

    /// <summary>The dashboard and admin API port (-admin-listen-addr); 0 = not set (the node's default 8080).</summary>
    public int Admin { get; init; }

    /// <summary>The dashboard's base address (the admin API is under <c>api/</c>).</summary>
    public Uri AdminUri => new($"http://127.0.0.1:{Admin}/");

    /// <summary>Free ports for every listener; why the admin port too: nodes sharing a machine must not all take 8080.</summary>
    public static NodePorts Allocate()
    {
        var ports = FreePorts.Take(6);
        return new NodePorts(ports[0], ports[1], ports[2], ports[3]) { Proxy = ports[4], Admin = ports[5] };
    }
}

/// <summary>One line of the Prometheus text format.</summary>
public sealed partial record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public static IReadOnlyList<MetricSample> Parse(string text) =>
        text.Split('\n')
            .Select(l => Line().Match(l))
            .Where(m => m.Success)
            .Select(m => new MetricSample(
                m.Groups["name"].Value,
                Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToArray();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex Line();

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex Label();
}
