using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Libp2p.Host;

namespace PhysarumSM.Node.Admin;

/// <summary>
/// The admin API's reads. Each answers from one grain call (the mesh directory, the service catalog or the event log),
/// never by visiting every node or instance grain: listing must not activate anything.
/// </summary>
internal static class AdminReadEndpoints
{
    /// <summary>Most events one page returns.</summary>
    public const int MaxEventPage = 200;

    public static async Task<JsonHttpResult<NodesView>> Nodes(IGrainFactory grains, Libp2pHost host, TimeProvider clock, CancellationToken ct)
    {
        var nodes = await grains.GetMeshDirectory().ListNodes(ct);
        var now = clock.GetUtcNow();
        var self = host.PeerId.ToString();
        var views = nodes.Select(n => new NodeView(
            n.Info.PeerId,
            n.Info.HostName,
            RoleNames(n.Info.Roles),
            n.Info.Addresses,
            n.Info.Capacity is { } c ? new CapacityView(c.CpuCores, c.CpuReserved, c.MemoryMiB, c.MemoryReservedMiB, c.MaxInstances, c.Instances) : null,
            n.Info.StartedAt,
            Math.Max(0, (now - n.Info.StartedAt).TotalSeconds),
            n.LastHeardAt,
            n.Info.GatewayUrl,
            n.Info.AdminUrl,
            n.IsStale,
            n.Info.PeerId == self)).ToList();
        return TypedResults.Json(new NodesView(now, self, views), AdminJsonContext.Api.NodesView);
    }

    public static async Task<JsonHttpResult<ServicesView>> Services(IGrainFactory grains, TimeProvider clock, CancellationToken ct)
    {
        var records = await grains.GetServiceCatalog().List(ct);
        var views = records.Select(r => new ServiceView(
            r.Info.Name, r.Info.DockerHash, r.Info.ContentHash, r.Info.SoftRttMs, r.Info.HardRttMs, r.Info.CpuReq, r.Info.MemoryReq,
            r.Version, r.RegisteredAt, r.UpdatedAt)).ToList();
        return TypedResults.Json(new ServicesView(clock.GetUtcNow(), views), AdminJsonContext.Api.ServicesView);
    }

    public static async Task<JsonHttpResult<InstancesView>> Instances(IGrainFactory grains, TimeProvider clock, CancellationToken ct)
    {
        var nodes = await grains.GetMeshDirectory().ListNodes(ct);
        var views = nodes
            .SelectMany(n => n.Info.Instances.Select(i => new InstanceView(
                i.Service, i.InstanceId, n.Info.PeerId, n.Info.HostName, i.ContainerId, i.Paused ? "paused" : "running",
                i.Since, i.LastRequestAt, i.Requests)))
            .OrderBy(i => i.Service, StringComparer.Ordinal)
            .ThenBy(i => i.InstanceId, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Json(new InstancesView(clock.GetUtcNow(), views), AdminJsonContext.Api.InstancesView);
    }

    public static async Task<JsonHttpResult<RttView>> Rtt(IGrainFactory grains, CancellationToken ct)
    {
        var directory = grains.GetMeshDirectory();
        var matrixTask = directory.GetRttMatrix(ct);
        var nodes = await directory.ListNodes(ct);
        var matrix = await matrixTask;
        var names = nodes.ToDictionary(n => n.Info.PeerId, n => n.Info.HostName, StringComparer.Ordinal);
        var size = matrix.Nodes.Length;
        var rows = new List<IReadOnlyList<RttCellView?>>(size);
        for (var row = 0; row < size; row++)
        {
            rows.Add(matrix.Cells.Skip(row * size).Take(size)
                .Select(s => s is null ? null : new RttCellView(s.EwmaRttMs, s.LastRttMs, s.SampleCount, s.SeenAt))
                .ToList());
        }

        var columns = matrix.Nodes.Select(p => new RttNodeView(p, names.GetValueOrDefault(p, ""))).ToList();
        return TypedResults.Json(new RttView(matrix.AsOf, columns, rows), AdminJsonContext.Api.RttView);
    }

    public static async Task<Results<JsonHttpResult<EventsView>, JsonHttpResult<AdminError>>> Events(IGrainFactory grains, HttpRequest request, CancellationToken ct)
    {
        if (!TryQueryNumber(request, "after", 0, out var after) || after < 0)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "'after' must be a non-negative sequence number (the 'last' of the previous page)");
        }

        if (!TryQueryNumber(request, "max", MaxEventPage, out var max) || max is < 1 or > MaxEventPage)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, $"'max' must be between 1 and {MaxEventPage}");
        }

        var page = await grains.GetGrain<IMeshEventLogGrain>(IMeshEventLogGrain.Key).Since(after, (int)max, ct);
        var events = page.Events.Select(e => new EventView(e.Sequence, e.At, e.Kind.ToString(), e.Service, e.InstanceId, e.NodeId, e.Message)).ToList();
        return TypedResults.Json(new EventsView(events, page.Last, page.Missed), AdminJsonContext.Api.EventsView);
    }

    private static bool TryQueryNumber(HttpRequest request, string name, long fallback, out long value)
    {
        value = fallback;
        var text = request.Query[name].ToString();
        return text.Length == 0 || long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    private static ImmutableArray<string> RoleNames(NodeRoles roles) =>
        [.. new[] { NodeRoles.Overlay, NodeRoles.Registry, NodeRoles.Allocator, NodeRoles.Gateway }
            .Where(r => roles.HasFlag(r))
            .Select(r => r.ToString().ToLowerInvariant())];
}
