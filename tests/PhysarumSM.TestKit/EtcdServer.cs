using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PhysarumSM.TestKit;

/// <summary>
/// A real, throw-away etcd for tests: free loopback ports, data in a temp directory, stoppable and restartable on the
/// same data, and able to add a second member by member add. Installs Debian's etcd-server with apt-get when etcd is
/// missing. Why real: compare-and-set transactions, revisions and quorum loss are what the registry relies on.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _executable;
    private readonly string _initialCluster;
    private readonly string _clusterState;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private EtcdServer(string executable, string name, string directory, int clientPort, int peerPort, string initialCluster, string clusterState)
    {
        _executable = executable;
        Name = name;
        Directory = directory;
        ClientPort = clientPort;
        PeerPort = peerPort;
        _initialCluster = initialCluster;
        _clusterState = clusterState;
    }

    /// <summary>The member's name.</summary>
    public string Name { get; }

    /// <summary>The temp directory holding the member's data (removed on dispose).</summary>
    public string Directory { get; }

    /// <summary>Client port (loopback).</summary>
    public int ClientPort { get; }

    /// <summary>Peer port (loopback).</summary>
    public int PeerPort { get; }

    /// <summary>The client URL, as storage endpoints take it.</summary>
    public string ClientUrl => Url(ClientPort);

    /// <summary>The peer URL.</summary>
    public string PeerUrl => Url(PeerPort);

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a one-member cluster and returns once it is healthy.</summary>
    /// <param name="cancellationToken">A failure guard: cancel to give up waiting.</param>
    public static async Task<EtcdServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        Exception? lastError = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // A port found free may be taken before etcd binds it; other ports are the fix.
            var ports = FreePorts.Take(2);
            var name = $"test-{ports[0]}";
            var server = new EtcdServer(executable, name, NewDirectory(), ports[0], ports[1], $"{name}={Url(ports[1])}", "new");
            try
            {
                await server.LaunchAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (IOException ex)
            {
                lastError = ex;
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw lastError!;
    }

    /// <summary>
    /// Adds a member to this server's cluster (member add through etcd's JSON gateway), starts it with
    /// initial-cluster-state existing, and returns once it is healthy. This server must be running.
    /// </summary>
    public async Task<EtcdServer> AddMemberAsync(CancellationToken cancellationToken = default)
    {
        var ports = FreePorts.Take(2);
        var name = $"test-{ports[0]}";
        var body = new JsonObject { ["peerURLs"] = new JsonArray(Url(ports[1])) };
        JsonElement answer;
        while (true)
        {
            using var response = await Http.PostAsJsonAsync(ClientUrl + "/v3/cluster/member/add", body, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // etcd refuses a member add until the last member to join has been connected for a while.
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                continue;
            }

            response.EnsureSuccessStatusCode();
            answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
            break;
        }

        var addedId = answer.GetProperty("member").GetProperty("ID").GetString();
        var cluster = new List<string>();
        foreach (var member in answer.GetProperty("members").EnumerateArray())
        {
            var memberName = member.GetProperty("ID").GetString() == addedId ? name : member.GetProperty("name").GetString();
            foreach (var url in member.GetProperty("peerURLs").EnumerateArray())
            {
                cluster.Add($"{memberName}={url.GetString()}");
            }
        }

        var server = new EtcdServer(_executable, name, NewDirectory(), ports[0], ports[1], string.Join(',', cluster), "existing");
        try
        {
            await server.LaunchAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the process (as a crash would); the data stays for <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // already reaped
            }

            process.Dispose();
        }
    }

    /// <summary>Starts the member again on the same ports and data, and returns once it is healthy.</summary>
    /// <param name="waitForHealth">False for a member that cannot be healthy alone (its peers are down).</param>
    /// <param name="cancellationToken">A failure guard.</param>
    public async Task RestartAsync(bool waitForHealth = true, CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        await LaunchAsync(cancellationToken, waitForHealth).ConfigureAwait(false);
    }

    /// <summary>Kills the server and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Returns the etcd executable, installing Debian's etcd-server with apt-get if it is missing.</summary>
    public static Task<string> EnsureInstalledAsync(CancellationToken cancellationToken = default) =>
        DebianPackage.EnsureExecutableAsync("etcd", "etcd-server", cancellationToken);

    private async Task LaunchAsync(CancellationToken cancellationToken, bool waitForHealth = true)
    {
        var start = new ProcessStartInfo(_executable)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--name", Name, "--data-dir", Path.Combine(Directory, "data"),
                     "--listen-client-urls", ClientUrl, "--advertise-client-urls", ClientUrl,
                     "--listen-peer-urls", PeerUrl, "--initial-advertise-peer-urls", PeerUrl,
                     "--initial-cluster", _initialCluster, "--initial-cluster-state", _clusterState,
                     "--initial-cluster-token", "physarum-test", "--logger", "zap", "--log-outputs", "stderr",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        if (waitForHealth)
        {
            await WaitHealthyAsync(process, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitHealthyAsync(Process process, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new IOException($"etcd {Name} (client {ClientPort}, peer {PeerPort}) exited with {process.ExitCode}: {Output()}");
            }

            try
            {
                var answer = await Http.GetFromJsonAsync<JsonElement>(ClientUrl + "/health", cancellationToken).ConfigureAwait(false);
                if (answer.TryGetProperty("health", out var health) && health.GetString() == "true")
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // not listening yet
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string NewDirectory() => System.IO.Directory.CreateTempSubdirectory("physarum-etcd-").FullName;

    private static string Url(int port) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length > 16384)
            {
                _output.Remove(0, _output.Length - 8192);
            }

            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
