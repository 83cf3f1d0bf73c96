using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// Runs (pulling a missing image from the registry its reference names), probes, pauses, lists, watches and removes the
/// Docker containers of service instances on this node.
/// Why one type over <see cref="IDockerClient"/>: the instance grain, the warm pool and restart adoption must agree
/// on the same labels, environment contract, limits and error messages.
/// </summary>
/// <remarks>
/// Networking: containers join the bridge network (<see cref="ContainerRuntimeOptions.Network"/>); SERVICE_PORT is
/// published on 127.0.0.1 at a host port the engine picks (read back by inspect), so instances never collide on
/// ports and only this node reaches them. PROXY_IP defaults to the bridge's gateway address (e.g. 172.17.0.1), the
/// host as seen from the container: the node's gateway must listen there (or on 0.0.0.0). Units: CPU in cores
/// (NanoCPUs = cores × 10^9), memory in MiB (bytes = MiB × 2^20, swap not added).
/// </remarks>
public sealed partial class ContainerRuntime : IDisposable
{
    /// <summary>The smallest memory limit the engine accepts (6 MB), in MiB.</summary>
    public const long MinimumMemoryMiB = 6;

    private const long BytesPerMiB = 1024 * 1024;
    private const double NanoCpusPerCore = 1e9;
    private const int MaxLogLines = 10_000;

    private readonly IDockerClient _client;
    private readonly ContainerRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _probe;
    private readonly ImagePuller _puller;
    private string? _gatewayAddress;

    /// <summary>Uses the engine behind <paramref name="client"/> (see <see cref="DockerEngineConnector"/>); the caller keeps ownership of it.</summary>
    public ContainerRuntime(IDockerClient client, ContainerRuntimeOptions? options = null, ILogger<ContainerRuntime>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new ContainerRuntimeOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _puller = new ImagePuller(client, _options.PullTimeout, new RegistryLogins(_options.DockerConfigDirectory), _logger);
        _probe = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = _options.ProbeRequestTimeout,
            PooledConnectionLifetime = TimeSpan.Zero,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>
    /// PROXY_IP for containers: <see cref="ContainerRuntimeOptions.GatewayAddress"/>, else the IPv4 gateway of
    /// <see cref="ContainerRuntimeOptions.Network"/> (the host's address on the bridge). The node's gateway must listen there.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network has no IPv4 gateway.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<string> GetGatewayAddressAsync(CancellationToken cancellationToken = default)
    {
        if (_options.GatewayAddress is { Length: > 0 } configured)
        {
            return configured;
        }

        if (_gatewayAddress is { } known)
        {
            return known;
        }

        var network = await CallAsync(null, token => _client.Networks.InspectNetworkAsync(_options.Network, token), cancellationToken).ConfigureAwait(false);
        var gateway = network.IPAM?.Config?
            .Select(config => config.Gateway)
            .FirstOrDefault(address => IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? BridgeInterfaceAddress(network.Options);
        _gatewayAddress = gateway ?? throw new InvalidOperationException(
            $"Docker network '{_options.Network}' has no IPv4 gateway to give containers as PROXY_IP: set Containers:GatewayAddress");
        return gateway;
    }

    // A freshly started dockerd may report the default bridge's IPAM config without its gateway; the host's address on
    // the bridge interface (docker0) is that gateway, so read it from the interface the network names.
    private static string? BridgeInterfaceAddress(IDictionary<string, string>? networkOptions)
    {
        if (networkOptions?.TryGetValue("com.docker.network.bridge.name", out var name) != true)
        {
            return null;
        }

        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => string.Equals(nic.Name, name, StringComparison.Ordinal))
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)?.ToString();
    }

    /// <summary>
    /// Creates and starts the container of <paramref name="spec"/>: the environment contract, the identity labels, SERVICE_PORT
    /// published on the loopback, the CPU and memory limits, the engine's init as PID 1 and restart policy "no". Does not wait
    /// for readiness (see <see cref="WaitReadyAsync(RunningContainer, TimeSpan?, CancellationToken)"/>).
    /// </summary>
    /// <remarks>
    /// An image that is not in the engine is pulled first when its reference names a registry (<c>host:5000/name@sha256:…</c>,
    /// <c>host:5000/name:tag</c>; by digest when it has one), once for all concurrent starts, within
    /// <see cref="ContainerRuntimeOptions.PullTimeout"/>. Local-only references (an image id, <c>name:tag</c>) are never pulled.
    /// Why only on a miss: asking the engine first would add a round trip to every cold start of an image it already has.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is invalid (<see cref="ContainerSpec.Validate"/>).</exception>
    /// <exception cref="ContainerStartException">The image is missing and names no registry, or its pull failed (the registry's reason), or the engine refused to create or start it (limits, port), or it exited at once; nothing is left behind.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<RunningContainer> RunAsync(ContainerSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(spec));
        }

        var proxyIp = spec.ProxyIp is { Length: > 0 } given ? given : await GetGatewayAddressAsync(cancellationToken).ConfigureAwait(false);
        var parameters = CreateParameters(spec, proxyIp);
        LogCreating(spec.InstanceId, spec.Image, parameters.Name);

        var created = await CreateAsync(spec, parameters, cancellationToken).ConfigureAwait(false);

        try
        {
            try
            {
                await CallAsync(created.ID, token => _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), token), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex is not DockerContainerNotFoundException)
            {
                throw new ContainerStartException(
                    $"the engine could not start the container of instance {spec.InstanceId} from {spec.Image}: {EngineMessages.Describe(ex)}",
                    spec.Image, created.ID, null, await TryLogTailAsync(created.ID).ConfigureAwait(false), ex);
            }

            var details = await InspectRequiredAsync(created.ID, cancellationToken).ConfigureAwait(false);
            if (details.HostPort is not { } hostPort)
            {
                // Not running any more: the engine drops the port mapping when the process ends.
                throw await ExitedBeforeReadyAsync(details, spec.Image, spec.InstanceId, "it was published").ConfigureAwait(false);
            }

            var running = new RunningContainer(details.Id, details.Name, spec.Image, hostPort, spec.ServicePort, details.Labels, details.StartedAt ?? details.Created, details.NetworkAddress);
            LogStarted(running.Id, spec.InstanceId, spec.Image, hostPort);
            return running;
        }
        catch
        {
            await TryRemoveAsync(created.ID).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until <paramref name="container"/>'s port answers HTTP (any status) on the loopback.</summary>
    /// <param name="container">A container from <see cref="RunAsync"/> or <see cref="AdoptAsync"/>.</param>
    /// <param name="timeout">How long to wait; null = <see cref="ContainerRuntimeOptions.ReadyTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ContainerStartException">It exited first (with its exit code and last log lines), was removed, or did not answer within <paramref name="timeout"/> (exit code null). The container is left as it is.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task WaitReadyAsync(RunningContainer container, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var limit = timeout ?? _options.ReadyTimeout;
        var address = container.LoopbackAddress(_options.HostAddress);
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exited = WaitForExitAsync(container.Id, watch.Token);
        using var deadline = new CancellationTokenSource(limit);
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                if (exited.IsCompleted)
                {
                    throw await ExitedWhileWaitingAsync(container, exited).ConfigureAwait(false);
                }

                if (await ProbeAsync(address, scope.Token).ConfigureAwait(false))
                {
                    LogReady(container.Id, container.InstanceId, address);
                    return;
                }

                await Task.WhenAny(exited, Task.Delay(_options.ProbeInterval, scope.Token)).ConfigureAwait(false);
                scope.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (exited.IsCompleted)
            {
                throw await ExitedWhileWaitingAsync(container, exited).ConfigureAwait(false);
            }

            throw new ContainerStartException(
                $"container {container.Name} ({container.Image}) of instance {container.InstanceId} runs but did not answer HTTP on {address} within {limit.TotalSeconds:0.###} s",
                container.Image, container.Id, null, await TryLogTailAsync(container.Id).ConfigureAwait(false));
        }
        finally
        {
            await watch.CancelAsync().ConfigureAwait(false);
            try
            {
                await exited.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ContainerNotFoundException or DockerEngineUnavailableException or DockerApiException)
            {
                // the watch only served this wait; its outcome was handled above or no longer matters
            }
        }
    }

    /// <summary>
    /// Completes with the exit code when the container stops for any reason (exit, kill, OOM, stop, forced removal);
    /// at once if it is not running now. A paused container has not stopped.
    /// </summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine stopped answering.</exception>
    public async Task<long> WaitForExitAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        while (true)
        {
            try
            {
                var response = await _client.Containers.WaitContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
                LogExited(containerId, response.StatusCode);
                return response.StatusCode;
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw ContainerNotFoundException.For(containerId, ex);
            }
            catch (Exception ex) when (ex is TaskCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The client's own request timeout ended a long wait: if the container still runs, wait again.
                var details = await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false);
                if (details.State is not (ContainerRunState.Running or ContainerRunState.Paused or ContainerRunState.Restarting))
                {
                    return details.ExitCode;
                }
            }
            catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
            {
                throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
            }
        }
    }

    /// <summary>Stops the container (SIGTERM, then SIGKILL after <see cref="ContainerRuntimeOptions.StopTimeout"/>); a paused one is unpaused first. False when it was not running.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<bool> StopAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, Math.Ceiling(_options.StopTimeout.TotalSeconds)) };
        bool stopped;
        try
        {
            stopped = await CallAsync(containerId, token => _client.Containers.StopContainerAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException)
        {
            // Some engines refuse to stop a paused container: resume it, then stop it.
            if ((await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false)).State != ContainerRunState.Paused)
            {
                throw;
            }

            await UnpauseAsync(containerId, cancellationToken).ConfigureAwait(false);
            stopped = await CallAsync(containerId, token => _client.Containers.StopContainerAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
        }

        LogStopped(containerId, stopped);
        return stopped;
    }

    /// <summary>Removes the container whatever its state (running and paused ones are killed). False when it was already gone or being removed.</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<bool> RemoveAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            await CallAsync(
                containerId,
                async token =>
                {
                    await _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, token).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // "removal of container ... is already in progress"
            return false;
        }

        LogRemoved(containerId);
        return true;
    }

    /// <summary>Freezes the container (warm pool): it keeps its memory and port but runs and answers nothing. Pausing a paused one is a no-op.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="InvalidOperationException">It is not running (e.g. exited).</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public Task PauseAsync(string containerId, CancellationToken cancellationToken = default) =>
        ChangePauseAsync(containerId, pause: true, cancellationToken);

    /// <summary>Resumes a paused container; unpausing a running one is a no-op.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="InvalidOperationException">It is not running (e.g. exited).</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken = default) =>
        ChangePauseAsync(containerId, pause: false, cancellationToken);

    /// <summary>Lists containers (stopped ones included) carrying every label of <paramref name="labels"/> with that value (an empty value = the label is present).</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<IReadOnlyList<ContainerSummary>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var filter = labels.ToDictionary(pair => pair.Value.Length == 0 ? pair.Key : $"{pair.Key}={pair.Value}", _ => true);
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = filter.Count == 0 ? null : new Dictionary<string, IDictionary<string, bool>> { ["label"] = filter },
        };
        var listed = await CallAsync(null, token => _client.Containers.ListContainersAsync(parameters, token), cancellationToken).ConfigureAwait(false);
        return listed.Select(ContainerMapping.ToSummary).ToList();
    }

    /// <summary>The container's state, labels, environment, limits and exit status; null when there is no such container.</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            return await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// A container a previous run left (found with <see cref="ListAsync"/>), as a <see cref="RunningContainer"/> when it is running
    /// or paused and publishes its service port; null otherwise (then remove it).
    /// </summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<RunningContainer?> AdoptAsync(string containerId, CancellationToken cancellationToken = default)
    {
        var details = await InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
        if (details is not { State: ContainerRunState.Running or ContainerRunState.Paused, HostPort: { } hostPort, ServicePort: { } servicePort })
        {
            return null;
        }

        LogAdopted(details.Id, details.InstanceId, details.State);
        return new RunningContainer(details.Id, details.Name, details.Image, hostPort, servicePort, details.Labels, details.StartedAt ?? details.Created, details.NetworkAddress);
    }

    /// <summary>The container's last <paramref name="lines"/> log lines, stdout and stderr in the order written.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<IReadOnlyList<string>> LogTailAsync(string containerId, int lines, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Tail = Math.Min(lines, MaxLogLines).ToString(CultureInfo.InvariantCulture),
        };
        using var stream = await CallAsync<MultiplexedStream>(containerId, token => _client.Containers.GetContainerLogsAsync(containerId, false, parameters, token), cancellationToken)
            .ConfigureAwait(false);
        return await ContainerLogReader.ReadLinesAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the readiness probe's HTTP client and stops image pulls under way (not the Docker client).</summary>
    public void Dispose()
    {
        _puller.Dispose();
        _probe.Dispose();
    }

    /// <summary>How many image pulls this runtime asked the engine for (tests check that concurrent starts share one).</summary>
    internal int PullCount => _puller.PullCount;

    // Creates the container; on a missing image that names a registry, pulls it (joining a pull under way) and tries once more.
    private async Task<CreateContainerResponse> CreateAsync(ContainerSpec spec, CreateContainerParameters parameters, CancellationToken cancellationToken)
    {
        var pulled = false;
        while (true)
        {
            try
            {
                return await CallAsync(null, token => _client.Containers.CreateContainerAsync(parameters, token), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerImageNotFoundException ex) when (pulled || ImageReference.Registry(spec.Image) is null)
            {
                throw new ContainerStartException(
                    pulled
                        ? $"image {spec.Image} of service {spec.ServiceName} was pulled, but the engine still does not find it (removed meanwhile?): {EngineMessages.Describe(ex)}"
                        : $"image {spec.Image} of service {spec.ServiceName} is not in this node's engine, and the reference names no registry to pull it from: "
                          + "build it here, or load it (docker load, docker pull), or push it to the mesh's registry and register that reference "
                          + "(physarum service add --push) so that nodes pull it themselves",
                    spec.Image, null, null, [], ex);
            }
            catch (DockerImageNotFoundException)
            {
                // names a registry: pulled below, outside the catch
            }
            catch (DockerApiException ex)
            {
                throw new ContainerStartException(
                    $"the engine refused to create the container of instance {spec.InstanceId} from {spec.Image}: {EngineMessages.Describe(ex)}",
                    spec.Image, null, null, [], ex);
            }

            await _puller.EnsurePresentAsync(spec.Image, cancellationToken).ConfigureAwait(false);
            pulled = true;
        }
    }

    private CreateContainerParameters CreateParameters(ContainerSpec spec, string proxyIp)
    {
        var portKey = $"{spec.ServicePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var environment = new List<string>
        {
            $"{ServiceEnvironment.ServicePort}={spec.ServicePort.ToString(CultureInfo.InvariantCulture)}",
            $"{ServiceEnvironment.ProxyIp}={proxyIp}",
            $"{ServiceEnvironment.ProxyPort}={spec.ProxyPort.ToString(CultureInfo.InvariantCulture)}",
            $"{ServiceEnvironment.P2PBootstraps}={string.Join(' ', spec.Bootstraps)}",
            $"{ServiceEnvironment.P2PPsk}={spec.Psk}",
        };
        if (spec.MetricsPort > 0)
        {
            environment.Add($"{ServiceEnvironment.MetricsPort}={spec.MetricsPort.ToString(CultureInfo.InvariantCulture)}");
        }

        environment.AddRange(spec.Environment.Select(pair => $"{pair.Key}={pair.Value}"));

        var labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal)
        {
            [ContainerLabels.Service] = spec.ServiceName,
            [ContainerLabels.Instance] = spec.InstanceId,
            [ContainerLabels.Node] = spec.NodeId,
            [ContainerLabels.ServicePort] = spec.ServicePort.ToString(CultureInfo.InvariantCulture),
        };
        var memory = spec.MemoryMiB * BytesPerMiB;
        return new CreateContainerParameters
        {
            Name = ContainerMapping.NameFor(spec.InstanceId),
            Image = spec.Image,
            Env = environment,
            Labels = labels,
            Cmd = spec.Command?.ToList(),
            ExposedPorts = new Dictionary<string, EmptyStruct> { [portKey] = default },
            HostConfig = new HostConfig
            {
                NetworkMode = _options.Network,
                PortBindings = new Dictionary<string, IList<PortBinding>>
                {
                    [portKey] = [new PortBinding { HostIP = _options.HostAddress, HostPort = spec.HostPort == 0 ? "" : spec.HostPort.ToString(CultureInfo.InvariantCulture) }],
                },
                NanoCPUs = (long)Math.Round(spec.CpuCores * NanoCpusPerCore),
                Memory = memory,
                // Equal to Memory: no swap on top of the limit, so MemoryReq is what the instance really gets.
                MemorySwap = memory,
                // The engine's init is PID 1: it forwards SIGTERM to the service (a shell-form CMD ignores it) and reaps zombies.
                Init = true,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            },
        };
    }

    private async Task<bool> ProbeAsync(Uri address, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.ProbeRequestTimeout);
        // HEAD: any HTTP answer means ready, and a service's GET / may be real work (the Greeter's calls another service).
        using var request = new HttpRequestMessage(HttpMethod.Head, address);
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await _probe.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (HttpRequestException)
        {
            // Not listening yet: the engine's proxy accepts the connection and closes it.
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Accepted but no answer within the probe's limit (still starting, or paused).
            return false;
        }
    }

    private async Task ChangePauseAsync(string containerId, bool pause, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            await CallAsync(
                containerId,
                async token =>
                {
                    if (pause)
                    {
                        await _client.Containers.PauseContainerAsync(containerId, token).ConfigureAwait(false);
                    }
                    else
                    {
                        await _client.Containers.UnpauseContainerAsync(containerId, token).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            // The engine answers 409 to pausing a paused container and 500 to unpausing a running one: check what it is.
            var details = await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false);
            var wanted = pause ? ContainerRunState.Paused : ContainerRunState.Running;
            if (details.State != wanted)
            {
                throw new InvalidOperationException(
                    $"cannot {(pause ? "pause" : "unpause")} container {details.Name}: it is {details.State.ToString().ToLowerInvariant()} ({EngineMessages.Describe(ex)})", ex);
            }

            return;
        }

        if (pause)
        {
            LogPaused(containerId);
        }
        else
        {
            LogUnpaused(containerId);
        }
    }

    private async Task<ContainerDetails> InspectRequiredAsync(string containerId, CancellationToken cancellationToken)
    {
        var inspected = await CallAsync(containerId, token => _client.Containers.InspectContainerAsync(containerId, token), cancellationToken).ConfigureAwait(false);
        return ContainerMapping.ToDetails(inspected);
    }

    private async Task<ContainerStartException> ExitedWhileWaitingAsync(RunningContainer container, Task<long> exited)
    {
        try
        {
            await exited.ConfigureAwait(false);
        }
        catch (ContainerNotFoundException ex)
        {
            return new ContainerStartException(
                $"container {container.Name} ({container.Image}) of instance {container.InstanceId} was removed before it answered HTTP",
                container.Image, container.Id, null, [], ex);
        }

        var details = await InspectAsync(container.Id).ConfigureAwait(false);
        return details is null
            ? new ContainerStartException(
                $"container {container.Name} ({container.Image}) of instance {container.InstanceId} exited with code {exited.Result} and was removed before it answered HTTP",
                container.Image, container.Id, exited.Result, [])
            : await ExitedBeforeReadyAsync(details, container.Image, container.InstanceId, "it answered HTTP").ConfigureAwait(false);
    }

    private async Task<ContainerStartException> ExitedBeforeReadyAsync(ContainerDetails details, string image, string instanceId, string before)
    {
        var reason = details.OomKilled ? " (killed: out of memory)" : details.Error.Length > 0 ? $" ({details.Error})" : "";
        return new ContainerStartException(
            $"container {details.Name} ({image}) of instance {instanceId} exited with code {details.ExitCode}{reason} before {before}",
            image, details.Id, details.ExitCode, await TryLogTailAsync(details.Id).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<string>> TryLogTailAsync(string containerId)
    {
        try
        {
            return await LogTailAsync(containerId, Math.Max(1, _options.ErrorLogLines)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContainerNotFoundException or DockerApiException or DockerEngineUnavailableException or IOException)
        {
            return [];
        }
    }

    private async Task TryRemoveAsync(string containerId)
    {
        try
        {
            await RemoveAsync(containerId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or DockerEngineUnavailableException)
        {
            LogCleanupFailed(containerId, ex.Message);
        }
    }

    // One place that turns transport failures into DockerEngineUnavailableException and 404s into ContainerNotFoundException.
    private async Task<T> CallAsync<T>(string? containerId, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException ex) when (containerId is not null)
        {
            throw ContainerNotFoundException.For(containerId, ex);
        }
        catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
        {
            throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Creating container {Name} for instance {InstanceId} from {Image}")]
    private partial void LogCreating(string instanceId, string image, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {ContainerId} for instance {InstanceId} from {Image} on host port {HostPort}")]
    private partial void LogStarted(string containerId, string instanceId, string image, int hostPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} of instance {InstanceId} answers at {Address}")]
    private partial void LogReady(string containerId, string instanceId, Uri address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopted container {ContainerId} of instance {InstanceId} ({State})")]
    private partial void LogAdopted(string containerId, string instanceId, ContainerRunState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} exited with code {ExitCode}")]
    private partial void LogExited(string containerId, long exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped container {ContainerId} (was running: {WasRunning})")]
    private partial void LogStopped(string containerId, bool wasRunning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed container {ContainerId}")]
    private partial void LogRemoved(string containerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Paused container {ContainerId}")]
    private partial void LogPaused(string containerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unpaused container {ContainerId}")]
    private partial void LogUnpaused(string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove container {ContainerId} after a failed start: {Reason}")]
    private partial void LogCleanupFailed(string containerId, string reason);
}
