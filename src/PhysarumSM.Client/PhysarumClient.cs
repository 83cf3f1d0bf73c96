using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Client.Events;
using PhysarumSM.Client.Gateway;
using PhysarumSM.Client.Mesh;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Client;

/// <summary>The facade: thin calls to the registry, directory and event-log grains, plus the gateway for HTTP.</summary>
internal sealed partial class PhysarumClient(
    IGrainFactory grains,
    IHttpClientFactory httpClients,
    MeshEntryLocator entry,
    IOptions<PhysarumClientOptions> options,
    TimeProvider clock,
    ILogger<PhysarumClient> logger) : IPhysarumClient
{
    public Task<ServiceRecord> RegisterAsync(ServiceInfo service, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);

        // Checked here too so a bad record fails without a round trip, with the same message the grain would give.
        if (service.Validate() is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(service));
        }

        return grains.GetServiceGrain(service.Name).Register(service, expectedVersion, cancellationToken);
    }

    public Task<ServiceRecord?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        grains.GetServiceGrain(CheckName(name)).Get(cancellationToken);

    public Task<IReadOnlyList<ServiceRecord>> ListAsync(CancellationToken cancellationToken = default) =>
        grains.GetServiceCatalog().List(cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        grains.GetServiceGrain(CheckName(name)).Delete(cancellationToken);

    public async Task<InstanceInfo> ResolveAsync(string service, CancellationToken cancellationToken = default)
    {
        CheckName(service);
        var fromNode = (await entry.LocateAsync(cancellationToken).ConfigureAwait(false)).FromNode
            ?? throw new EntryNodeNotFoundException(
                $"no node to resolve '{service}' from: the mesh directory lists no live node; set {PhysarumClientOptions.SectionName}:FromNode or check that a physarum-node runs in the cluster");
        // While the mesh recovers from a node failure the answer is transient: wait and ask again, as the gateway does.
        return await MeshRecovery.RetryAsync(
            async ct =>
            {
                try
                {
                    return await grains.GetServiceGrain(service).Resolve(fromNode, ct).ConfigureAwait(false);
                }
                catch (KeyNotFoundException ex) when (ex is not ServiceNotFoundException)
                {
                    throw new ServiceNotFoundException(service, ex);
                }
            },
            MeshRecovery.IsClusterInFlux, retrying: null, cancellationToken).ConfigureAwait(false);
    }

    public Task<HttpResponseMessage> SendAsync(string service, HttpRequestMessage request, CancellationToken cancellationToken = default) =>
        SendAsync(service, request, HttpCompletionOption.ResponseContentRead, cancellationToken);

    public async Task<HttpResponseMessage> SendAsync(string service, HttpRequestMessage request, HttpCompletionOption completionOption, CancellationToken cancellationToken = default)
    {
        CheckName(service);
        ArgumentNullException.ThrowIfNull(request);
        var gateway = (await entry.LocateAsync(cancellationToken).ConfigureAwait(false)).Gateway
            ?? throw new EntryNodeNotFoundException(
                $"no HTTP gateway to send to '{service}' through: no live node publishes a gateway URL reachable from this machine; set {PhysarumClientOptions.SectionName}:GatewayUrl (a node's -proxy-listen-addr, e.g. http://127.0.0.1:4200/)");
        request.RequestUri = GatewayUri.For(gateway, service, request.RequestUri);
        var http = httpClients.CreateClient(PhysarumClientOptions.HttpClientName);
        try
        {
            return await http.SendAsync(request, completionOption, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            // Why forget: the node behind it may have moved or died; the next call reads the mesh again.
            entry.Forget();
            LogGatewayUnreachable(logger, gateway, ex.Message);
            throw new HttpRequestException(ex.HttpRequestError, $"the mesh gateway {gateway} did not answer ({ex.Message})", ex);
        }
    }

    public async Task<IReadOnlyList<MeshNode>> NodesAsync(CancellationToken cancellationToken = default) =>
        await grains.GetMeshDirectory().ListNodes(cancellationToken).ConfigureAwait(false);

    public Task<RttMatrix> RttMatrixAsync(CancellationToken cancellationToken = default) =>
        grains.GetMeshDirectory().GetRttMatrix(cancellationToken);

    public IAsyncEnumerable<MeshEvent> EventsAsync(CancellationToken cancellationToken = default) =>
        EventsAsync(fromStart: false, cancellationToken);

    public IAsyncEnumerable<MeshEvent> EventsAsync(bool fromStart, CancellationToken cancellationToken = default)
    {
        var log = grains.GetGrain<IMeshEventLogGrain>(IMeshEventLogGrain.Key);
        var feed = new MeshEventFeed(log.Since, options.Value.EventPollInterval, clock, logger);
        return feed.ReadAsync(fromStart, cancellationToken);
    }

    private static string CheckName(string name) =>
        ServiceName.IsValid(name, out var error) ? name : throw new ArgumentException(error, nameof(name));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mesh gateway {Gateway} did not answer ({Reason}); the entry node will be looked up again")]
    private static partial void LogGatewayUnreachable(ILogger logger, Uri gateway, string reason);
}
