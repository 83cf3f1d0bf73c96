using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Client;

/// <summary>
/// The mesh for .NET code: register, read and delete services, resolve and call them (cold start included), read the
/// nodes and the RTT matrix, and follow the mesh's events. Registered as a singleton by <c>AddPhysarumClient</c>;
/// thread-safe. Calls need the host started (the Orleans client connects then).
/// </summary>
/// <remarks>
/// Errors the mesh reports pass through with their own types: <see cref="ServiceConflictException"/> (a stale
/// expected version), <see cref="RegistryUnavailableException"/> (no etcd reachable),
/// <see cref="NoInstanceWithinRequirementException"/> (nothing within the hard RTT), <see cref="InstanceStartException"/>
/// (no node could start the instance). Connection failures are Orleans' own exceptions.
/// </remarks>
public interface IPhysarumClient
{
    /// <summary>Registers or replaces a service (a new version every time).</summary>
    /// <param name="service">The service; checked here first with <see cref="ServiceInfo.Validate"/>.</param>
    /// <param name="expectedVersion">Write only if the stored version is still this one (0 = must not exist yet); null writes unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record with its new version.</returns>
    /// <exception cref="ArgumentException">The service is invalid; the message says why.</exception>
    /// <exception cref="ServiceConflictException">The stored version is not <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="RegistryUnavailableException">The registry store cannot be reached; nothing was written.</exception>
    Task<ServiceRecord> RegisterAsync(ServiceInfo service, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>The registered service, or null when <paramref name="name"/> is not registered.</summary>
    /// <param name="name">The service name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid service name.</exception>
    /// <exception cref="RegistryUnavailableException">The registry store cannot be reached.</exception>
    Task<ServiceRecord?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every registered service, sorted by name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="RegistryUnavailableException">The registry store cannot be reached.</exception>
    Task<IReadOnlyList<ServiceRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a service; running instances are left to idle culling.</summary>
    /// <param name="name">The service name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was deleted, false when it was not registered.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid service name.</exception>
    /// <exception cref="RegistryUnavailableException">The registry store cannot be reached.</exception>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// The instance a request entering the mesh at <see cref="PhysarumClientOptions.FromNode"/> (default: the node whose
    /// Orleans gateway this client uses) would use, started first if none fits (a cold start: this waits for it).
    /// </summary>
    /// <param name="service">The service name.</param>
    /// <param name="cancellationToken">Cancels the wait (the instance may still start).</param>
    /// <returns>The instance; its <see cref="InstanceInfo.Endpoint"/> is reachable only on its own node, so call it with <see cref="SendAsync(string, HttpRequestMessage, CancellationToken)"/>.</returns>
    /// <exception cref="ServiceNotFoundException">The service is not registered.</exception>
    /// <exception cref="NoInstanceWithinRequirementException">No instance or allocator node is within the service's hard RTT requirement.</exception>
    /// <exception cref="InstanceStartException">Every node within the requirement failed to start the instance.</exception>
    /// <exception cref="EntryNodeNotFoundException">No node is known to resolve from.</exception>
    /// <remarks>While the mesh recovers from a node failure (a silo not answering, the directory refilling) the call waits and resolves again until <paramref name="cancellationToken"/> fires.</remarks>
    Task<InstanceInfo> ResolveAsync(string service, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="service"/> through the mesh's HTTP gateway: its URI becomes
    /// <c>{gateway}{service}/{path and query of the request}</c> (a relative URI such as <c>/</c> or <c>api/items?x=1</c>
    /// is enough; the host of an absolute one is ignored), and the gateway picks or cold-starts the instance. The response
    /// is returned whatever its status (404: service not registered, 503: nothing within the hard RTT, 504: cold start
    /// timed out; the body says why). The response content is buffered; use the overload with
    /// <see cref="HttpCompletionOption"/> to stream it.
    /// </summary>
    /// <param name="service">The service name.</param>
    /// <param name="request">The request; its <see cref="HttpRequestMessage.RequestUri"/> is rewritten, so send a message once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The service's response (dispose it).</returns>
    /// <exception cref="ArgumentException"><paramref name="service"/> is not a valid service name.</exception>
    /// <exception cref="EntryNodeNotFoundException">No HTTP gateway is known: set <see cref="PhysarumClientOptions.GatewayUrl"/>.</exception>
    /// <exception cref="HttpRequestException">The gateway could not be reached; the message names it.</exception>
    Task<HttpResponseMessage> SendAsync(string service, HttpRequestMessage request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Same as <see cref="SendAsync(string, HttpRequestMessage, CancellationToken)"/>, returning when
    /// <paramref name="completionOption"/> says (<see cref="HttpCompletionOption.ResponseHeadersRead"/> streams the body).
    /// </summary>
    /// <param name="service">The service name.</param>
    /// <param name="request">The request; its <see cref="HttpRequestMessage.RequestUri"/> is rewritten, so send a message once.</param>
    /// <param name="completionOption">When the returned task completes: after the headers or after the whole body.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The service's response (dispose it).</returns>
    /// <exception cref="ArgumentException"><paramref name="service"/> is not a valid service name.</exception>
    /// <exception cref="EntryNodeNotFoundException">No HTTP gateway is known: set <see cref="PhysarumClientOptions.GatewayUrl"/>.</exception>
    /// <exception cref="HttpRequestException">The gateway could not be reached; the message names it.</exception>
    Task<HttpResponseMessage> SendAsync(string service, HttpRequestMessage request, HttpCompletionOption completionOption, CancellationToken cancellationToken = default);

    /// <summary>Every node the mesh directory lists (stale ones flagged), in peer ID order, with roles, addresses, capacity, gateway URL and instances.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<MeshNode>> NodesAsync(CancellationToken cancellationToken = default);

    /// <summary>The RTTs measured between every pair of listed nodes.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<RttMatrix> RttMatrixAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The mesh's events from now on (instance started, culled, stopped, failed; service registered, deleted), each once
    /// and in the log's order, polled every <see cref="PhysarumClientOptions.EventPollInterval"/>. The start is taken
    /// when enumeration begins. Failed reads are logged and retried with backoff, so the stream outlives a restarting
    /// node; it ends only when <paramref name="cancellationToken"/> is cancelled (with <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="cancellationToken">Ends the stream.</param>
    IAsyncEnumerable<MeshEvent> EventsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Same as <see cref="EventsAsync(CancellationToken)"/>; with <paramref name="fromStart"/> true it first yields every
    /// event the log still holds (it keeps the latest 2000, in memory).
    /// </summary>
    /// <param name="fromStart">True: begin with the oldest event the log holds; false: with the next new one.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    IAsyncEnumerable<MeshEvent> EventsAsync(bool fromStart, CancellationToken cancellationToken = default);
}
