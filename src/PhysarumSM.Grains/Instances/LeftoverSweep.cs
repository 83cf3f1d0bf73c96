using Microsoft.Extensions.Logging;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Grains.Placement;

namespace PhysarumSM.Grains.Instances;

/// <summary>
/// Removes, when the silo starts, the containers of this node that no instance grain owns: leftovers of a previous run
/// that crashed or was killed. Why remove rather than adopt: an instance grain adopts its container itself when it is
/// activated first (it is then in the ledger); anything else would run unmanaged and never be culled.
/// </summary>
internal sealed partial class LeftoverSweep(ContainerRuntime runtime, NodeLedger ledger, ILocalNode localNode, ILogger<LeftoverSweep> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    // Before the silo joins the cluster: no instance grain can activate yet, so none can lose a container it is starting.
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LeftoverSweep), ServiceLifecycleStage.ApplicationServices, OnStartAsync, static _ => Task.CompletedTask);

    /// <summary>Removes every container labelled for this node that the ledger does not track (live instances and the warm pool's paused ones); returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var container in await runtime.ListAsync(ContainerLabels.ForNode(localNode.PeerId), cancellationToken).ConfigureAwait(false))
        {
            if (ledger.Tracks(container.Id))
            {
                continue;   // a live instance's, or paused in the warm pool for the next one: both are managed
            }

            container.Labels.TryGetValue(ContainerLabels.Instance, out var instanceId);
            LogRemoving(container.Id, instanceId ?? "?", container.State);
            if (await runtime.RemoveAsync(container.Id, cancellationToken).ConfigureAwait(false))
            {
                removed++;
            }
        }

        return removed;
    }

    private async Task OnStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var removed = await SweepAsync(cancellationToken).ConfigureAwait(false);
            LogSwept(localNode.PeerId, removed);
        }
        catch (DockerEngineUnavailableException ex)
        {
            // The node must still start: instances fail on their own with the engine down, and the next start sweeps again.
            LogSweepFailed(localNode.PeerId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing leftover container {ContainerId} of instance {InstanceId} ({State}): no instance grain owns it")]
    private partial void LogRemoving(string containerId, string instanceId, ContainerRunState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId}: startup sweep removed {Removed} leftover container(s)")]
    private partial void LogSwept(string nodeId, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId}: startup sweep skipped, the Docker engine does not answer: {Error}")]
    private partial void LogSweepFailed(string nodeId, string error);
}
