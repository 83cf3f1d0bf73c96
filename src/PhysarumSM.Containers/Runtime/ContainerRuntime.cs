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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove container {ContainerId} after a failed start: {Reason}")]
    private partial void LogCleanupFailed(string containerId, string reason);
}
