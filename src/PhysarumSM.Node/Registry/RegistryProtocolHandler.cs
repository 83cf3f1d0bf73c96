using System.Text.Json;
using Microsoft.Extensions.Logging;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Node.Registry;

/// <summary>
/// Answers <c>/physarum/registry/1.0.0</c> on every node by calling the registry grains, so the CLI can
/// reach the registry through whichever node it bootstraps to. Only PSK members reach this handler: the
/// overlay refuses others before any protocol is negotiated.
/// </summary>
public sealed partial class RegistryProtocolHandler(IGrainFactory grains, ILogger<RegistryProtocolHandler> logger)
{
    /// <summary>A CLI that sends nothing for this long is dropped.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    // The node this handler answers for: status measures RTTs from it.
    private string _self = "";

    public void Register(Libp2pHost host)
    {
        _self = host.PeerId.ToString();
        host.SetStreamHandler(RegistryWire.ProtocolId, HandleAsync);
    }

    private async Task HandleAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        RegistryResponse response;
        try
        {
            var bytes = await LengthPrefixedMessage.ReadAsync(stream.Stream, RegistryWire.MaxMessageBytes, deadline.Token).ConfigureAwait(false);
            var request = JsonSerializer.Deserialize<RegistryRequest>(bytes, RegistryWire.Json)
                ?? throw new JsonException("empty request");
            response = await ExecuteAsync(request, deadline.Token).ConfigureAwait(false);
            LogRequest(logger, request.Op, request.Name ?? request.Service?.Name ?? "", stream.Connection.RemotePeer.ToString(), response.Code ?? "ok");
        }
        catch (Exception ex) when (ex is JsonException or Libp2pProtocolException)
        {
            response = Fail("invalid", $"malformed registry request: {ex.Message}");
        }

        var answer = JsonSerializer.SerializeToUtf8Bytes(response, RegistryWire.Json);
        await LengthPrefixedMessage.WriteAsync(stream.Stream, answer, deadline.Token).ConfigureAwait(false);
        await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
    }

    private async Task<RegistryResponse> ExecuteAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        try
        {
            switch (request.Op)
            {
                case "add":
                    if (request.Service is null)
                    {
                        return Fail("invalid", "add needs a service");
                    }

                    if (request.Service.Validate() is { } invalid)
                    {
                        return Fail("invalid", invalid);
                    }

                    var written = await grains.GetServiceGrain(request.Service.Name).Register(request.Service, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
                    return new RegistryResponse { Ok = true, Record = written };
                case "get":
                    if (!ServiceName.IsValid(request.Name, out var getError))
                    {
                        return Fail("invalid", getError!);
                    }

                    var record = await grains.GetServiceGrain(request.Name!).Get(cancellationToken).ConfigureAwait(false);
                    return record is null ? Fail("not_found", $"no service named '{request.Name}' is registered") : new RegistryResponse { Ok = true, Record = record };
                case "list":
                    var all = await grains.GetServiceCatalog().List(cancellationToken).ConfigureAwait(false);
                    return new RegistryResponse { Ok = true, Records = all };
                case "delete":
                    if (!ServiceName.IsValid(request.Name, out var deleteError))
                    {
                        return Fail("invalid", deleteError!);
                    }

                    return await grains.GetServiceGrain(request.Name!).Delete(cancellationToken).ConfigureAwait(false)
                        ? new RegistryResponse { Ok = true }
                        : Fail("not_found", $"no service named '{request.Name}' is registered");
                case "status":
                    return new RegistryResponse { Ok = true, Status = await StatusAsync(cancellationToken).ConfigureAwait(false) };
                default:
                    return Fail("invalid", $"unknown registry operation '{request.Op}' (expected add, get, list, delete or status)");
            }
        }
        catch (ServiceConflictException ex)
        {
            return Fail("conflict", ex.Message);
        }
        catch (RegistryUnavailableException ex)
        {
            return Fail("unavailable", ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Fail("invalid", ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, request.Op, ex.Message);
            return Fail("error", $"the registry failed: {ex.Message}");
        }
    }

    /// <summary>The directory's nodes with RTTs from this node; the service count is best effort (a mesh without etcd still has nodes).</summary>
    private async Task<MeshStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var directory = grains.GetMeshDirectory();
        var matrixTask = directory.GetRttMatrix(cancellationToken);
        var nodes = await directory.ListNodes(cancellationToken).ConfigureAwait(false);
        var matrix = await matrixTask.ConfigureAwait(false);
        int? services = null;
        string? registryError = null;
        try
        {
            services = (await grains.GetServiceCatalog().List(cancellationToken).ConfigureAwait(false)).Count;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            registryError = ex.Message;
        }

        return new MeshStatus
        {
            AsOf = DateTimeOffset.UtcNow,
            AnsweredBy = _self,
            Services = services,
            RegistryError = registryError,
            Nodes = [.. nodes.Select(n => new NodeStatus
            {
                PeerId = n.Info.PeerId,
                HostName = n.Info.HostName,
                Roles = RoleNames(n.Info.Roles),
                Stale = n.IsStale,
                LastHeartbeat = n.Info.LastHeartbeat,
                StartedAt = n.Info.StartedAt,
                RttMs = string.Equals(n.Info.PeerId, _self, StringComparison.Ordinal) ? 0 : matrix.EwmaRttMs(_self, n.Info.PeerId),
                Capacity = n.Info.Capacity,
                Instances = n.Info.Instances,
            })],
        };
    }

    // Each role by name, never the enum's combined "All", so a reader sees what the node does.
    private static string RoleNames(NodeRoles roles) => string.Join(", ",
        new[] { NodeRoles.Overlay, NodeRoles.Registry, NodeRoles.Allocator, NodeRoles.Gateway }
            .Where(r => roles.HasFlag(r))
            .Select(r => r.ToString().ToLowerInvariant()));

    private static RegistryResponse Fail(string code, string error) => new() { Ok = false, Code = code, Error = error };

    [LoggerMessage(1, LogLevel.Information, "registry {Op} '{Name}' from {Peer}: {Result}")]
    private static partial void LogRequest(ILogger logger, string op, string name, string peer, string result);

    [LoggerMessage(2, LogLevel.Warning, "registry {Op} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string op, string reason);
}
