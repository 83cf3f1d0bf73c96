using System.Text.Json;
using Microsoft.Extensions.Logging;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Gateway.Resolve;

/// <summary>
/// Answers <c>/physarum/resolve/1.0.0</c> for standalone proxies. The resolution itself is a delegate (the node
/// implements it with its grains), which keeps Orleans out of the data path. Only PSK members reach this handler.
/// </summary>
public sealed class ResolveServer
{
    /// <summary>A proxy that sends no request for this long is refused.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default deadline of one resolution: long enough for a cold start (image start plus readiness probe).</summary>
    public static readonly TimeSpan DefaultResolveTimeout = TimeSpan.FromSeconds(35);

    private readonly Func<string, PeerId, CancellationToken, Task<ResolveAnswer>> _resolve;
    private readonly ILogger<ResolveServer> _logger;

    /// <summary>A server answering with <paramref name="resolve"/>.</summary>
    /// <param name="resolve">Resolves a service for the calling peer; may throw <see cref="ServiceNotFoundException"/> or <see cref="NoRouteException"/>.</param>
    /// <param name="logger">Where answers and failures are reported.</param>
    /// <param name="resolveTimeout">Deadline of one resolution; <see cref="DefaultResolveTimeout"/> when null.</param>
    public ResolveServer(Func<string, PeerId, CancellationToken, Task<ResolveAnswer>> resolve, ILogger<ResolveServer> logger, TimeSpan? resolveTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        _resolve = resolve;
        _logger = logger;
        ResolveTimeout = resolveTimeout ?? DefaultResolveTimeout;
    }

    /// <summary>Deadline of one resolution.</summary>
    public TimeSpan ResolveTimeout { get; }

    /// <summary>Answers resolve requests on <paramref name="host"/> from now on.</summary>
    public void Register(Libp2pHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.SetStreamHandler(ResolveWire.ProtocolId, (stream, ct) => HandleAsync(host, stream, ct));
    }

    private async Task HandleAsync(Libp2pHost host, Libp2pStream stream, CancellationToken stopping)
    {
        var peer = stream.Connection.RemotePeer;
        var request = await ReadRequestAsync(stream, peer, stopping).ConfigureAwait(false);
        ResolveResponse response;
        switch (request)
        {
            case { Service: { } service }:
                response = await ResolveAsync(host, service, peer, stopping).ConfigureAwait(false);
                ResolveLog.Answered(_logger, service, peer, response.Ok ? $"{response.Instance} on {response.Node}" : $"{response.Code}: {response.Error}");
                break;
            case { Error: { } error }:
                ResolveLog.Invalid(_logger, peer, error);
                response = Fail(ResolveCode.Invalid, error);
                break;
            default:
                return; // the proxy went away before asking
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            await LengthPrefixedMessage.WriteAsync(stream.Stream, JsonSerializer.SerializeToUtf8Bytes(response, ResolveWire.Json), deadline.Token).ConfigureAwait(false);
            await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException && !stopping.IsCancellationRequested)
        {
            ResolveLog.EndedEarly(_logger, peer, ex.Message);
        }
    }

    /// <summary>The service asked for, a reason to refuse, or neither when the proxy went away.</summary>
    private async Task<(string? Service, string? Error)?> ReadRequestAsync(Libp2pStream stream, PeerId peer, CancellationToken stopping)
    {
        byte[] bytes;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            deadline.CancelAfter(RequestTimeout);
            try
            {
                bytes = await LengthPrefixedMessage.ReadAsync(stream.Stream, ResolveWire.MaxMessageBytes, deadline.Token).ConfigureAwait(false);
            }
            catch (Libp2pProtocolException ex)
            {
                return (null, $"malformed resolve request: {ex.Message}");
            }
            catch (IOException ex)
            {
                ResolveLog.EndedEarly(_logger, peer, ex.Message);
                return null;
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return (null, $"no resolve request within {RequestTimeout.TotalSeconds:0.#} s");
            }
        }

        try
        {
            var request = JsonSerializer.Deserialize<ResolveRequest>(bytes, ResolveWire.Json);
            return string.IsNullOrWhiteSpace(request?.Service)
                ? (null, "the resolve request names no service (expected {\"service\":\"<name>\"})")
                : (request.Service, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // Untrusted bytes: every way System.Text.Json rejects input counts as malformed.
            return (null, $"malformed resolve request: {ex.Message}");
        }
    }

    private async Task<ResolveResponse> ResolveAsync(Libp2pHost host, string service, PeerId caller, CancellationToken stopping)
    {
        ResolveAnswer answer;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            deadline.CancelAfter(ResolveTimeout);
            try
            {
                answer = await _resolve(service, caller, deadline.Token).ConfigureAwait(false);
            }
            catch (ServiceNotFoundException ex)
            {
                return Fail(ResolveCode.NotFound, ex.Message);
            }
            catch (NoRouteException ex)
            {
                return Fail(ResolveCode.NoRoute, ex.Message);
            }
            catch (ArgumentException ex)
            {
                return Fail(ResolveCode.Invalid, ex.Message);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return Fail(ResolveCode.Unavailable, $"resolving '{service}' took longer than {ResolveTimeout.TotalSeconds:0.#} s; try again");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ResolveLog.Failed(_logger, service, caller, ex.Message);
                return Fail(ResolveCode.Unavailable, $"node {host.PeerId} could not resolve '{service}': {ex.Message}");
            }
        }

        if (answer.Route is not { } route)
        {
            return Fail(answer.Code ?? ResolveCode.Unavailable, answer.Error ?? $"node {host.PeerId} could not resolve '{service}'");
        }

        var addresses = answer.NodeAddresses ?? KnownAddresses(host, route.NodeId);
        return new ResolveResponse
        {
            Ok = true,
            Instance = route.InstanceId,
            Node = route.NodeId,
            Addresses = addresses.Select(a => a.ToString()).ToArray(),
            SoftRttMs = route.SoftRttMs,
            HardRttMs = route.HardRttMs,
            ColdStart = route.ColdStart ? true : null,
        };
    }

    /// <summary>This host's listen addresses when it runs the instance, else what its peer store knows of the node.</summary>
    private static IReadOnlyList<Multiaddr> KnownAddresses(Libp2pHost host, string nodeId)
    {
        if (!PeerId.TryParse(nodeId, out var node))
        {
            return [];
        }

        return node == host.PeerId ? host.ListenAddresses : host.PeerStore.GetAddresses(node);
    }

    private static ResolveResponse Fail(string code, string error) => new() { Ok = false, Code = code, Error = error };
}
