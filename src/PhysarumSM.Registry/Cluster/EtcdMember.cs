using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PhysarumSM.Registry.Cluster;

/// <summary>
/// The etcd member this node runs as a child process: founds a cluster or joins one, keeps its data under the node's
/// data directory, restarts it with backoff when it dies, and stops it with the node. Stopping never removes the
/// member from the cluster: its data must survive node restarts.
/// </summary>
public sealed partial class EtcdMember : IHostedService, IAsyncDisposable
{
    private const string PidFileName = "etcd.pid";
    private static readonly HttpClient Health = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly EtcdMemberOptions _options;
    private readonly IEtcdMemberJoiner? _joiner;
    private readonly ILogger<EtcdMember> _logger;
    private readonly object _gate = new();
    private CancellationTokenSource? _stopping;
    private Task? _supervisor;
    private EtcdProcess? _process;
    private string? _executable;
    private IReadOnlyList<string> _arguments = [];
    private int _restarts;

    /// <summary>
    /// Creates the member; <paramref name="joiner"/> is required only to join an existing cluster
    /// (no <see cref="EtcdMemberOptions.NewCluster"/>, no data yet).
    /// </summary>
    public EtcdMember(IOptions<EtcdMemberOptions> options, ILogger<EtcdMember> logger, IEtcdMemberJoiner? joiner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var validation = new EtcdMemberOptionsValidator().Validate(null, _options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(EtcdMemberOptions), typeof(EtcdMemberOptions), validation.Failures);
        }

        _logger = logger;
        _joiner = joiner;
    }

    /// <summary>The client URL to give the etcd storage on this node.</summary>
    public string ClientUrl => _options.ClientUrl;

    /// <summary>The peer URL other members reach this one at.</summary>
    public string PeerUrl => _options.PeerUrl;

    /// <summary>The member's name.</summary>
    public string Name => _options.Name;

    /// <summary>The running child's process id, or null when none runs.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false } p ? p.Id : null;
            }
        }
    }

    /// <summary>How many times the child was restarted after dying.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>
    /// Starts etcd and returns once it is healthy. Throws <see cref="EtcdNotFoundException"/> without the binary, and
    /// <see cref="InvalidOperationException"/> (with etcd's last output) if it exits or never becomes healthy.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            throw new InvalidOperationException($"etcd member {Name} was already started");
        }

        _executable = EtcdExecutable.Locate(_options.ExecutablePath);
        Directory.CreateDirectory(_options.DataDirectory);
        await StopLeftoverAsync(cancellationToken).ConfigureAwait(false);
        var plan = await PlanAsync(cancellationToken).ConfigureAwait(false);
        _arguments = Arguments(plan);
        LogStarting(Name, ClientUrl, PeerUrl, plan?.InitialClusterState ?? "resume", _options.EtcdDataDirectory);

        var process = Launch();
        try
        {
            await WaitHealthyAsync(process, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.TerminateAsync(_options.StopTimeout, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        LogHealthy(Name, ClientUrl);
        _stopping = new CancellationTokenSource();
        _supervisor = SuperviseAsync(_stopping.Token);
    }

    /// <summary>
    /// Stops supervising and terminates etcd (SIGTERM, then SIGKILL after the stop timeout). The data stays, and the
    /// member stays in the cluster; the member can be started again.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }

        EtcdProcess? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }

        if (process is not null)
        {
            await process.TerminateAsync(_options.StopTimeout, cancellationToken).ConfigureAwait(false);
            process.Dispose();
        }

        File.Delete(Path.Combine(_options.DataDirectory, PidFileName));
        _stopping.Dispose();
        _stopping = null;
        _supervisor = null;
        LogStopped(Name);
    }

    /// <summary>Waits until the member answers healthy again (after a restart, for instance).</summary>
    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        while (!await IsHealthyAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when etcd's <c>/health</c> on the client URL says so (the member has a leader).</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var answer = await Health.GetFromJsonAsync<JsonElement>(ClientUrl + "/health", cancellationToken).ConfigureAwait(false);
            return answer.TryGetProperty("health", out var health) && health.GetString() == "true";
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;   // the health request's own timeout
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private async Task<EtcdLaunchPlan?> PlanAsync(CancellationToken cancellationToken)
    {
        var saved = EtcdLaunchPlan.Load(_options.DataDirectory);
        if (Directory.Exists(Path.Combine(_options.EtcdDataDirectory, "member")))
        {
            return saved;   // resume from data; etcd ignores the initial-cluster flags then anyway
        }

        var state = _options.NewCluster ? "new" : "existing";
        if (saved is not null && saved.InitialClusterState == state)
        {
            return saved;   // planned before, never got as far as writing data (for a joiner: already added)
        }

        EtcdLaunchPlan plan;
        if (_options.NewCluster)
        {
            plan = new($"{Name}={PeerUrl}", state, _options.ClusterToken);
        }
        else
        {
            var joiner = _joiner ?? throw new InvalidOperationException(
                $"etcd member {Name} has no data and no cluster to join: start it with -new-etcd-cluster, pass -etcd-endpoints, or bootstrap to a node with the registry role");
            var added = await joiner.AddMemberAsync(Name, [PeerUrl], cancellationToken).ConfigureAwait(false);
            plan = new(added.InitialCluster, state, null);
        }

        plan.Save(_options.DataDirectory);
        return plan;
    }

    private List<string> Arguments(EtcdLaunchPlan? plan)
    {
        var arguments = new List<string>
        {
            "--name", Name,
            "--data-dir", _options.EtcdDataDirectory,
            "--listen-client-urls", ClientUrl,
            "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", PeerUrl,
            "--initial-advertise-peer-urls", PeerUrl,
            "--logger", "zap",
            "--log-outputs", "stderr",
        };
        if (plan is not null)
        {
            arguments.AddRange(["--initial-cluster", plan.InitialCluster, "--initial-cluster-state", plan.InitialClusterState]);
            if (plan.ClusterToken is { } token)
            {
                arguments.AddRange(["--initial-cluster-token", token]);
            }
        }

        return arguments;
    }

    private EtcdProcess Launch()
    {
        var process = EtcdProcess.Start(_executable!, _arguments, _options.DataDirectory, _logger);
        File.WriteAllText(Path.Combine(_options.DataDirectory, PidFileName), process.Id.ToString(CultureInfo.InvariantCulture));
        lock (_gate)
        {
            _process = process;
        }

        return process;
    }

    private async Task WaitHealthyAsync(EtcdProcess process, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.StartTimeout);
        try
        {
            while (!await IsHealthyAsync(deadline.Token).ConfigureAwait(false))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException(
                        $"etcd member {Name} exited with code {process.ExitCode} before it was healthy at {ClientUrl}:{Environment.NewLine}{process.Tail()}");
                }

                await Task.Delay(100, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"etcd member {Name} was not healthy at {ClientUrl} within {_options.StartTimeout} (a joining member needs its cluster's quorum):{Environment.NewLine}{process.Tail()}");
        }
    }

    /// <summary>Restarts etcd whenever it dies, waiting longer after each quick death; a long healthy run resets the wait.</summary>
    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var delay = _options.RestartDelay;
        while (true)
        {
            EtcdProcess? process;
            lock (_gate)
            {
                process = _process;
            }

            var ran = Stopwatch.StartNew();
            try
            {
                if (process is not null)
                {
                    await process.WaitForExitAsync(stopping).ConfigureAwait(false);
                    LogDied(Name, process.Id, process.ExitCode ?? -1, process.Tail());
                    lock (_gate)
                    {
                        if (ReferenceEquals(_process, process))
                        {
                            _process = null; // StopAsync must not terminate a process that is gone
                        }
                    }

                    process.Dispose();
                }

                if (ran.Elapsed > _options.MaxRestartDelay * 2)
                {
                    delay = _options.RestartDelay;
                }

                LogRestarting(Name, delay);
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRestartDelay.Ticks));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                Launch();
                Interlocked.Increment(ref _restarts);
            }
            catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
            {
                LogRestartFailed(Name, ex);
                lock (_gate)
                {
                    _process = null;
                }
            }
        }
    }

    /// <summary>An etcd left running by a node that died holds our ports and data lock: stop it before starting ours.</summary>
    private async Task StopLeftoverAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(_options.DataDirectory, PidFileName);
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        var commandLine = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "cmdline");
        if (File.Exists(commandLine) && File.ReadAllText(commandLine).Contains(_options.EtcdDataDirectory, StringComparison.Ordinal)
            && EtcdProcess.Terminate(pid))
        {
            LogLeftover(Name, pid);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.StopTimeout);
            while (File.Exists(commandLine))
            {
                try
                {
                    await Task.Delay(50, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"an etcd left running (pid {pid}) on {_options.EtcdDataDirectory} did not stop on SIGTERM; stop it by hand");
                }
            }
        }

        File.Delete(pidFile);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd member {Name}: starting (clients {ClientUrl}, peers {PeerUrl}, cluster {State}, data {DataDirectory})")]
    private partial void LogStarting(string name, string clientUrl, string peerUrl, string state, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd member {Name}: healthy at {ClientUrl}")]
    private partial void LogHealthy(string name, string clientUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd member {Name}: stopped (data kept)")]
    private partial void LogStopped(string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd member {Name}: process {Pid} exited with {ExitCode}; last output:\n{Tail}")]
    private partial void LogDied(string name, int pid, int exitCode, string tail);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd member {Name}: restarting in {Delay}")]
    private partial void LogRestarting(string name, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "etcd member {Name}: restart failed; trying again")]
    private partial void LogRestartFailed(string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd member {Name}: stopping etcd pid {Pid} left running by an earlier node")]
    private partial void LogLeftover(string name, int pid);
}
