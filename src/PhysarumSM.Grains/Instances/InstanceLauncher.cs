using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Grains.Instances;

/// <summary>
/// Gets one instance's container running and answering: adopts the one a previous activation or node run left (by its
/// instance label), else unpauses one of the service's from the warm pool, else runs a new one from the service's image
/// (evicting the oldest paused containers first when the node lacks room). Why apart from the grain: it touches no grain state,
/// and the grain then reads as its lifecycle only.
/// </summary>
internal sealed partial class InstanceLauncher(ContainerRuntime runtime, NodeLedger ledger, IOptions<AllocatorOptions> options, ILogger<InstanceLauncher> logger)
{
    private AllocatorOptions Options => options.Value;

    /// <summary>
    /// A ready container for <paramref name="key"/>, where it came from (new, a leftover adopted, or the warm pool), and the
    /// endpoint the data path sends its requests to (<see cref="ContainerRuntime.DataEndpointAsync"/>).
    /// </summary>
    /// <exception cref="InstanceStartException">It could not be started or never answered; no container is left behind.</exception>
    public async Task<(RunningContainer Container, AllocationOutcome Outcome, System.Net.IPEndPoint Endpoint)> StartAsync(InstanceKey key, ServiceInfo service, CancellationToken cancellationToken)
    {
        var instanceId = key.Format();
        RunningContainer? container = null;
        var outcome = AllocationOutcome.Adopted;
        try
        {
            container = await AdoptAsync(instanceId, service, cancellationToken).ConfigureAwait(false);
            if (container is null)
            {
                outcome = AllocationOutcome.Warm;
                container = await TakeWarmAsync(service, cancellationToken).ConfigureAwait(false);
            }

            if (container is null)
            {
                outcome = AllocationOutcome.Started;
                await ledger.Pool.MakeRoomAsync(() => ledger.HasRoomFor(service.CpuReq, service.MemoryReq)).ConfigureAwait(false);
                container = await runtime.RunAsync(Spec(key, service), cancellationToken).ConfigureAwait(false);
            }

            await runtime.WaitReadyAsync(container, Options.ReadyTimeout, cancellationToken).ConfigureAwait(false);
            return (container, outcome, await runtime.DataEndpointAsync(container, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is ContainerStartException or DockerEngineUnavailableException or ContainerNotFoundException
                                       or InvalidOperationException or ArgumentException or OperationCanceledException)
        {
            if (container is not null)
            {
                await TryRemoveAsync(container.Id).ConfigureAwait(false);
            }

            LogStartFailed(instanceId, service.DockerHash, ex.Message);
            var why = ex is OperationCanceledException ? "the activation was cancelled (took longer than Orleans' activation timeout?)" : ex.Message;
            throw new InstanceStartException(instanceId, $"instance {instanceId} of service {service.Name} ({service.DockerHash}) did not start: {why}");
        }
    }

    /// <summary>Removes the container; false when it was already gone. Engine failures are logged, not thrown (best effort at deactivation).</summary>
    public async Task<bool> TryRemoveAsync(string containerId)
    {
        try
        {
            return await runtime.RemoveAsync(containerId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerEngineUnavailableException or Docker.DotNet.DockerApiException)
        {
            LogRemoveFailed(containerId, ex.Message);
            return false;
        }
    }

    // Unpauses a pooled container of the service, by id: its labels still name the culled instance, which is harmless
    // because label adoption skips what the ledger tracks. A pooled container that cannot be resumed is removed.
    private async Task<RunningContainer?> TakeWarmAsync(ServiceInfo service, CancellationToken cancellationToken)
    {
        while (ledger.Pool.TryTake(service.Name, service.DockerHash) is { } warm)
        {
            try
            {
                var container = await runtime.AdoptAsync(warm.ContainerId, cancellationToken).ConfigureAwait(false);
                if (container is not null)
                {
                    await runtime.UnpauseAsync(warm.ContainerId, cancellationToken).ConfigureAwait(false);
                    LogResumed(warm.ContainerId, service.Name);
                    return container;
                }
            }
            catch (Exception ex) when (ex is ContainerNotFoundException or InvalidOperationException or DockerEngineUnavailableException
                                           or Docker.DotNet.DockerApiException)
            {
                LogResumeFailed(warm.ContainerId, ex.Message);
            }

            await TryRemoveAsync(warm.ContainerId).ConfigureAwait(false);
        }

        return null;
    }

    // Keeps the first running (or paused) container of the instance that runs the service's current image; removes the rest.
    private async Task<RunningContainer?> AdoptAsync(string instanceId, ServiceInfo service, CancellationToken cancellationToken)
    {
        RunningContainer? kept = null;
        foreach (var found in await runtime.ListAsync(ContainerLabels.ForInstance(instanceId), cancellationToken).ConfigureAwait(false))
        {
            if (ledger.Tracks(found.Id))
            {
                continue;   // paused in the warm pool, or resumed by another instance of the service: not this key's to take
            }

            var candidate = kept is null && string.Equals(found.Image, service.DockerHash, StringComparison.Ordinal)
                ? await runtime.AdoptAsync(found.Id, cancellationToken).ConfigureAwait(false)
                : null;
            if (candidate is null)
            {
                LogRemovingLeftover(found.Id, instanceId, found.State);
                await TryRemoveAsync(found.Id).ConfigureAwait(false);
                continue;
            }

            if (found.State == ContainerRunState.Paused)
            {
                await runtime.UnpauseAsync(found.Id, cancellationToken).ConfigureAwait(false);
            }

            kept = candidate;
        }

        return kept;
    }

    private ContainerSpec Spec(InstanceKey key, ServiceInfo service) => new()
    {
        Image = service.DockerHash,
        ServiceName = service.Name,
        InstanceId = key.Format(),
        NodeId = key.NodeId,
        ServicePort = Options.ServicePort,
        ProxyIp = Options.ProxyIp,
        ProxyPort = Options.ProxyPort,
        MetricsPort = Options.MetricsPort,
        Bootstraps = [.. Options.Bootstraps],
        Psk = Options.Psk,
        CpuCores = service.CpuReq,
        MemoryMiB = service.MemoryReq,
        Labels = new Dictionary<string, string>(Options.Labels, StringComparer.Ordinal),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceId} ({Image}) did not start: {Reason}")]
    private partial void LogStartFailed(string instanceId, string image, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing container {ContainerId} left by instance {InstanceId} ({State}): not adoptable")]
    private partial void LogRemovingLeftover(string containerId, string instanceId, ContainerRunState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed container {ContainerId} of service {Service} from the warm pool")]
    private partial void LogResumed(string containerId, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resume pooled container {ContainerId}, removing it: {Reason}")]
    private partial void LogResumeFailed(string containerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove container {ContainerId}: {Reason}")]
    private partial void LogRemoveFailed(string containerId, string reason);
}
