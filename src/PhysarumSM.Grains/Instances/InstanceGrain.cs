using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Grains.Events;
using PhysarumSM.Grains.Placement;

namespace PhysarumSM.Grains.Instances;

/// <summary>
/// One service instance: active exactly while its container exists. Activation (on the node's silo, by
/// <see cref="NodePinnedPlacementAttribute"/>) adopts or starts the container and waits until it answers; deactivation
/// removes it, except after an idle cull, which parks it paused in the <see cref="WarmPool"/>. The grain deactivates itself when the container dies or when no request was reported for
/// <see cref="AllocatorOptions.IdleTimeout"/> — its own timer, because Orleans' collection age is cluster-wide and coarse.
/// </summary>
[NodePinnedPlacement, Immovable, GrainType("instance")]
internal sealed partial class InstanceGrain(
    InstanceLauncher launcher,
    ContainerRuntime runtime,
    NodeLedger ledger,
    AllocatorMetrics metrics,
    ILocalNode localNode,
    ILocalSiloDetails localSilo,
    IOptions<AllocatorOptions> options,
    [FromKeyedServices(MeshGrainOptions.ClockServiceKey)] TimeProvider clock,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain
{
    /// <summary>How long deactivation waits for the service grain to take note; it must not stall on a busy registry.</summary>
    private static readonly TimeSpan ServiceGoneTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _watch = new();
    private InstanceInfo _info = null!;
    private IGrainTimer? _idleTimer;
    private bool _culledIdle;   // only an idle cull parks the container: Stop and a dead container must free the node at once

    private string InstanceId => this.GetPrimaryKeyString();

    private TimeSpan IdleTimeout => options.Value.IdleTimeout;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = InstanceKey.Parse(InstanceId);
        if (!string.Equals(key.NodeId, localNode.PeerId, StringComparison.Ordinal))
        {
            throw new NodeUnavailableException(key.NodeId, $"instance {InstanceId} was activated on node {localNode.PeerId}'s silo, not on node {key.NodeId}'s");
        }

        var record = await GrainFactory.GetGrain<IServiceGrain>(key.Service).Get(cancellationToken)
            ?? throw new InstanceStartException(InstanceId, $"instance {InstanceId}: service '{key.Service}' is not registered");

        var began = clock.GetTimestamp();
        RunningContainer container;
        AllocationOutcome outcome;
        IPEndPoint endpoint;
        try
        {
            (container, outcome, endpoint) = await launcher.StartAsync(key, record.Info, cancellationToken);
        }
        catch (InstanceStartException ex)
        {
            metrics.Allocated(key.Service, AllocationOutcome.Failed, clock.GetElapsedTime(began));
            MeshEvents.Report(GrainFactory, logger, MeshEventKind.InstanceFailed, key.Service, ex.Message, InstanceId, key.NodeId);
            throw;
        }

        var took = clock.GetElapsedTime(began);
        metrics.Allocated(key.Service, outcome, took);
        var how = outcome switch
        {
            AllocationOutcome.Warm => "resumed a paused container from the warm pool",
            AllocationOutcome.Adopted => "adopted the container left by an earlier run",
            _ => "started a new container",
        };
        MeshEvents.Report(GrainFactory, logger, MeshEventKind.InstanceStarted, key.Service,
            string.Create(CultureInfo.InvariantCulture, $"{how}; answering after {took.TotalSeconds:0.00} s"), InstanceId, key.NodeId);
        var adopted = outcome != AllocationOutcome.Started;
        ledger.Started(InstanceId, container.Id, record.Info.DockerHash, record.Info.CpuReq, record.Info.MemoryReq, endpoint);
        var now = clock.GetUtcNow();
        _info = new InstanceInfo
        {
            InstanceId = InstanceId,
            Service = key.Service,
            NodeId = key.NodeId,
            Silo = localSilo.SiloAddress,
            ContainerId = container.Id,
            HostPort = container.HostPort,
            Endpoint = container.LoopbackAddress(options.Value.Runtime.HostAddress),
            StartedAt = container.StartedAt,
            Adopted = adopted,
            State = InstanceState.Running,
            LastActivityAt = now,
            ActivatedAt = now,
        };
        LogActivated(InstanceId, container.Id, _info.Endpoint, adopted);

        // The grain's await resumes on its own scheduler, so the watcher may call DeactivateOnIdle safely.
        _ = WatchContainerAsync(container.Id, _watch.Token);
        _idleTimer = this.RegisterGrainTimer(
            static (self, _) => self.CheckIdle(),
            this,
            new GrainTimerCreationOptions(options.Value.IdleCheckInterval, options.Value.IdleCheckInterval) { Interleave = true });
        DelayDeactivation(IdleTimeout);
    }

    public Task<InstanceInfo> EnsureStarted(CancellationToken cancellationToken = default)
    {
        MarkActive(clock.GetUtcNow(), 0);
        return Task.FromResult(_info);
    }

    public Task<InstanceInfo> Get(CancellationToken cancellationToken = default) => Task.FromResult(_info);

    public Task Touch(CancellationToken cancellationToken = default)
    {
        MarkActive(clock.GetUtcNow(), 0);
        return Task.CompletedTask;
    }

    public Task RecordRequests(long count, DateTimeOffset lastRequestAt, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > 0)
        {
            var now = clock.GetUtcNow();
            MarkActive(lastRequestAt > now ? now : lastRequestAt, count);
        }

        return Task.CompletedTask;
    }

    public async Task Stop(CancellationToken cancellationToken = default)
    {
        if (_info.State == InstanceState.Running)
        {
            _info = _info with { State = InstanceState.Stopping };
            await _watch.CancelAsync();
            LogStopping(InstanceId, "asked to stop");
            Report(MeshEventKind.InstanceStopped, "asked to stop");
            await launcher.TryRemoveAsync(_info.ContainerId);
            ledger.Stopped(InstanceId);
        }

        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _idleTimer?.Dispose();
        await _watch.CancelAsync();
        _watch.Dispose();
        if (_info is null)
        {
            return;   // the activation failed: the launcher already removed what it started
        }

        // Parked before the ledger releases the instance, so the node's reservation never dips while the container exists.
        var parked = _culledIdle && ledger.Pool.Enabled && await ParkAsync();
        var removed = !parked && await launcher.TryRemoveAsync(_info.ContainerId);
        ledger.Stopped(InstanceId);
        LogDeactivated(InstanceId, _info.ContainerId, reason.ReasonCode, removed, parked);
        await TellServiceGoneAsync(cancellationToken);
    }

    private async Task<bool> ParkAsync()
    {
        var reservation = ledger.ReservationOf(InstanceId);
        return reservation is not null
               && await ledger.Pool.TryParkAsync(_info.Service, _info.ContainerId, reservation.Image, reservation.CpuCores, reservation.MemoryMiB);
    }

    /// <summary>
    /// Lets the service grain drop this instance from its live set. Best effort: a lost message only costs the next
    /// resolve a fresh activation of this key, so no failure or slowness of the service grain may hold up deactivation.
    /// </summary>
    private async Task TellServiceGoneAsync(CancellationToken cancellationToken)
    {
        try
        {
            await GrainFactory.GetGrain<IServiceGrain>(_info.Service)
                .InstanceGone(InstanceId, cancellationToken)
                .WaitAsync(ServiceGoneTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogServiceNotTold(InstanceId, ex.Message);
        }
    }

    private void MarkActive(DateTimeOffset at, long requests)
    {
        _info = _info with
        {
            LastActivityAt = at > _info.LastActivityAt ? at : _info.LastActivityAt,
            Requests = _info.Requests + requests,
        };

        // Keep Orleans' own idle collection from undercutting a long IdleTimeout; our timer decides.
        DelayDeactivation(IdleTimeout);
    }

    private Task CheckIdle()
    {
        // Requests the gateway and the tunnel counted on this node since the last check.
        if (ledger.TakeRequests(InstanceId) is { Count: > 0 } traffic)
        {
            MarkActive(traffic.LastAt ?? clock.GetUtcNow(), traffic.Count);
        }

        var idle = clock.GetUtcNow() - _info.LastActivityAt;
        if (_info.State == InstanceState.Running && idle >= IdleTimeout)
        {
            _info = _info with { State = InstanceState.Stopping };
            _culledIdle = true;
            metrics.Culled(_info.Service);
            LogStopping(InstanceId, $"idle for {idle.TotalSeconds:0.#} s");
            Report(MeshEventKind.InstanceCulled, string.Create(CultureInfo.InvariantCulture, $"idle for {idle.TotalSeconds:0.#} s"));
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    private async Task WatchContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        string why;
        try
        {
            var exitCode = await runtime.WaitForExitAsync(containerId, cancellationToken);
            why = $"its container exited with code {exitCode}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (ContainerNotFoundException)
        {
            why = "its container was removed from outside";
        }
        catch (DockerEngineUnavailableException ex)
        {
            why = $"the Docker engine stopped answering ({ex.Message})";
        }

        if (_info.State == InstanceState.Running)
        {
            _info = _info with { State = InstanceState.Stopping };
            LogStopping(InstanceId, why);
            Report(MeshEventKind.InstanceStopped, why);
            DeactivateOnIdle();
        }
    }

    private void Report(MeshEventKind kind, string message) =>
        MeshEvents.Report(GrainFactory, logger, kind, _info.Service, message, InstanceId, _info.NodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {InstanceId} active: container {ContainerId} answers at {Endpoint} (adopted: {Adopted})")]
    private partial void LogActivated(string instanceId, string containerId, Uri endpoint, bool adopted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {InstanceId} deactivating: {Why}")]
    private partial void LogStopping(string instanceId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceId}: could not tell its service grain it is gone: {Error}")]
    private partial void LogServiceNotTold(string instanceId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {InstanceId} deactivated ({Reason}); container {ContainerId} removed: {Removed}, paused in the warm pool: {Parked}")]
    private partial void LogDeactivated(string instanceId, string containerId, DeactivationReasonCode reason, bool removed, bool parked);
}
