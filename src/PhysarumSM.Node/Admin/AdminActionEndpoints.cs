using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Node.Admin;

/// <summary>The admin API's actions (behind <see cref="AdminTokenFilter"/>): delete a service, cull an instance.</summary>
internal static partial class AdminActionEndpoints
{
    private const string CullSuffix = "/cull";
    private const string LogCategory = "PhysarumSM.Node.Admin";

    public static async Task<Results<JsonHttpResult<ActionView>, JsonHttpResult<AdminError>>> DeleteService(
        string name, IGrainFactory grains, ILoggerFactory logs, CancellationToken ct)
    {
        if (!ServiceName.IsValid(name, out var error))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, error!);
        }

        if (!await grains.GetServiceGrain(name).Delete(ct))
        {
            return AdminResults.Error(StatusCodes.Status404NotFound, $"service '{name}' is not registered");
        }

        LogServiceDeleted(logs.CreateLogger(LogCategory), name);
        return TypedResults.Json(new ActionView("deleted", name), AdminJsonContext.Api.ActionView);
    }

    /// <summary>
    /// <c>POST /api/instances/cull?id=ID</c> or <c>POST /api/instances/{ID}/cull</c>, the ID's slashes plain or as %2F.
    /// Only an instance some node lists as running is stopped: calling an instance grain activates it, and activating
    /// one starts a container, so a typo must never reach the grain.
    /// </summary>
    public static async Task<Results<JsonHttpResult<ActionView>, JsonHttpResult<AdminError>>> CullInstance(
        string rest, HttpRequest request, IGrainFactory grains, ILoggerFactory logs, CancellationToken ct)
    {
        var id = rest == "cull" ? request.Query["id"].ToString()
            : rest.EndsWith(CullSuffix, StringComparison.Ordinal) ? Uri.UnescapeDataString(rest[..^CullSuffix.Length])
            : null;
        if (id is null)
        {
            return AdminResults.Error(StatusCodes.Status404NotFound, "no such admin route: use POST /api/instances/cull?id=ID or POST /api/instances/{ID}/cull");
        }

        if (!InstanceKey.TryParse(id, out _))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, $"'{id}' is not an instance id ({{service}}/{{node}}/{{ordinal}}, see GET /api/instances)");
        }

        var nodes = await grains.GetMeshDirectory().ListNodes(ct);
        if (!nodes.Any(n => n.Info.Instances.Any(i => !i.Paused && i.InstanceId == id)))
        {
            return AdminResults.Error(StatusCodes.Status404NotFound, $"no node runs instance '{id}' (see GET /api/instances)");
        }

        await grains.GetGrain<IInstanceGrain>(id).Stop(ct);
        LogInstanceCulled(logs.CreateLogger(LogCategory), id);
        return TypedResults.Json(new ActionView("culled", id), AdminJsonContext.Api.ActionView);
    }

    [LoggerMessage(10, LogLevel.Information, "admin: service {Service} deleted")]
    private static partial void LogServiceDeleted(ILogger logger, string service);

    [LoggerMessage(11, LogLevel.Information, "admin: instance {InstanceId} culled")]
    private static partial void LogInstanceCulled(ILogger logger, string instanceId);
}
