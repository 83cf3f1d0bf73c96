using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Contracts.Registry;

using PhysarumSM.Grains.Events;

namespace PhysarumSM.Grains.Registry;

/// <summary>
/// One registered service, persisted in the grain storage <see cref="RegistryStorage.StorageName"/> (etcd, at
/// <c>/physarum/services/&lt;name&gt;</c>: the grain type is the key segment). The version callers see is the etcd mod
/// revision; every write is compare-and-set on it, so a write made elsewhere (another cluster on the same etcd, a
/// duplicate activation) is never silently overwritten.
/// </summary>
/// <remarks>
/// Why the storage directly rather than <c>[PersistentState]</c>: Orleans loads such state during activation and
/// wraps a failure in an <c>OrleansException</c>, so a caller would never see <see cref="RegistryUnavailableException"/>
/// when etcd is down. Loading on the first call keeps every failure at the grain boundary, in the contract's terms.
/// </remarks>
[GrainType(RegistryStorage.ServicesGrainType)]
internal sealed partial class ServiceGrain(
    [FromKeyedServices(RegistryStorage.StorageName)] IGrainStorage storage,
    TimeProvider clock,
    ILogger<ServiceGrain> logger) : Grain, IServiceGrain
{
    /// <summary>The state name given to the storage (the etcd key does not include it).</summary>
    internal const string StateName = "service";

    /// <summary>How often an unconditional write re-reads and tries again after losing a race.</summary>
    internal const int MaxAttempts = 5;

    private readonly GrainState<ServiceState> _state = new() { State = new ServiceState() };

    // The instances this activation allocated or adopted and has not heard are gone. In memory only: an instance dies
    // with its silo, and a new activation adopts the running ones the nodes report (ReportedInstances) on its first resolve.
    private readonly HashSet<InstanceKey> _live = [];
    private bool _loaded;
    private bool _adopted;

    private string Name => this.GetPrimaryKeyString();

    private ServiceState Current => _state.State!;

    private long Version => _state.RecordExists && long.TryParse(_state.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;

    public async Task<ServiceRecord> Register(ServiceInfo info, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Validate() is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(info));
        }

        if (!string.Equals(info.Name, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"service '{info.Name}' sent to the grain of service '{Name}'", nameof(info));
        }

        if (expectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "a version is 0 (not registered) or an etcd revision");
        }

        await LoadAsync(cancellationToken);
        if (expectedVersion is { } expected && expected != Version)
        {
            // Our copy may be the stale one (a write from outside this cluster): compare with etcd before refusing.
            await ReadAsync(cancellationToken);
            if (expected != Version)
            {
                throw Conflict(expected, Version);
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            var previous = Current;
            var basedOn = Version;
            var now = clock.GetUtcNow();
            _state.State = new ServiceState
            {
                Info = info,
                RegisteredAt = _state.RecordExists && previous.Info is not null ? previous.RegisteredAt : now,
                UpdatedAt = now,
            };
            try
            {
                await storage.WriteStateAsync(StateName, this.GetGrainId(), _state, cancellationToken);
                LogRegistered(Name, Version, basedOn);
                MeshEvents.Report(GrainFactory, logger, MeshEventKind.ServiceRegistered, Name,
                    $"{(basedOn == 0 ? "registered" : "updated")}: image {info.DockerHash}, soft {info.SoftRttMs} ms, hard {info.HardRttMs} ms");
                return Current.ToRecord(Version)!;
            }
            catch (InconsistentStateException)
            {
                await ReadAsync(cancellationToken);
                if (expectedVersion is not null || attempt == MaxAttempts)
                {
                    throw Conflict(expectedVersion ?? basedOn, Version);
                }

                LogRetry(Name, basedOn, Version);
            }
            catch (Exception)
            {
                Forget(previous);
                throw;
            }
        }
    }

    public async Task<ServiceRecord?> Get(CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        if (!_state.RecordExists)
        {
            DeactivateOnIdle();   // nothing to keep in memory for an unregistered name
        }

        return Current.ToRecord(Version);
    }

    public async Task<bool> Delete(CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            if (!_state.RecordExists)
            {
                DeactivateOnIdle();
                return false;
            }

            var previous = Current;
            var version = Version;
            try
            {
                await storage.ClearStateAsync(StateName, this.GetGrainId(), _state, cancellationToken);
                LogDeleted(Name, version);
                var stopped = await StopInstancesAsync(cancellationToken);
                MeshEvents.Report(GrainFactory, logger, MeshEventKind.ServiceDeleted, Name,
                    string.Create(CultureInfo.InvariantCulture, $"deleted from the registry; {stopped} instance(s) stopped"));
                DeactivateOnIdle();
                return true;
            }
            catch (InconsistentStateException)
            {
                await ReadAsync(cancellationToken);
                if (attempt == MaxAttempts && _state.RecordExists)
                {
                    throw Conflict(version, Version);
                }
            }
            catch (Exception)
            {
                Forget(previous);
                throw;
            }
        }
    }

    public async Task<InstanceInfo> Resolve(string fromNode, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fromNode);
        await LoadAsync(ct);
        if (!_state.RecordExists || Current.Info is not { } info)
        {
            DeactivateOnIdle();
            throw new KeyNotFoundException($"service '{Name}' is not registered");
        }

        // Read fresh on every call: the gateway caches routes, so this runs once per route miss, and a cached matrix
        // could route past a requirement that links measured since then no longer meet.
        var directory = GrainFactory.GetMeshDirectory();
        var nodes = directory.ListNodes(ct);
        var matrix = directory.GetRttMatrix(ct);
        var listed = await nodes;
        AdoptReportedInstances(listed);
        var plan = ResolutionPolicy.Plan(Name, fromNode, info.SoftRttMs, info.HardRttMs, listed, await matrix, _live, info.CpuReq, info.MemoryReq);
        if (plan.Steps.IsEmpty)
        {
            // A node that has measured no allocator yet (it just joined) will have RTTs within seconds: not final yet.
            if (plan.AwaitingMeasurements)
            {
                LogRebuilding(Name, fromNode, plan.Refusal);
                throw new MeshRebuildingException($"{plan.Refusal}; node '{fromNode}' has measured no allocator's RTT yet (it joined moments ago): retry shortly");
            }

            // A directory re-created after its silo died knows only the nodes that heartbeated since: not final yet.
            if (plan.Incomplete && await directory.IsRebuilding(ct))
            {
                LogRebuilding(Name, fromNode, plan.Refusal);
                throw new MeshRebuildingException($"{plan.Refusal}; the mesh directory was re-created moments ago (a node failed) and nodes are still reporting in: retry shortly");
            }

            LogRefused(Name, fromNode, plan.Refusal);
            throw new NoInstanceWithinRequirementException(Name, fromNode, info.HardRttMs, plan.Refusal);
        }

        Exception? lastFailure = null;
        var onlyTransient = true;
        foreach (var step in plan.Steps)
        {
            var key = step.Instance ?? NextFreeKey(step.Node);
            try
            {
                // The instance's activation reads this grain's registration: without call-chain reentrancy that call
                // would wait behind this very Resolve. Other callers still queue, which is what keeps allocation single.
                using var reentrancy = RequestContext.AllowCallChainReentrancy();
                var started = await GrainFactory.GetInstanceGrain(key).EnsureStarted(ct);
                if (_live.Add(key))
                {
                    LogAllocated(Name, key.Format(), fromNode, step.RttMs);
                }

                return started;
            }
            catch (Exception ex) when (ex is InstanceStartException || IsClusterInFlux(ex))
            {
                // As the original looped over allocators: this node cannot run it now, the next best may.
                _live.Remove(key);
                lastFailure = ex;
                onlyTransient &= IsClusterInFlux(ex);
                LogStepFailed(Name, key.Format(), ex.Message);
            }
        }

        var message = $"service '{Name}' resolved from node '{fromNode}': no node within the requirement could start an instance; last error: {lastFailure!.Message}";
        throw onlyTransient
            ? new MeshRebuildingException($"{message} (a node is failing or the cluster is still settling: retry shortly)", lastFailure)
            : new InstanceStartException(message, lastFailure);
    }

    /// <summary>
    /// Failures that say the cluster's view is changing, not that the service cannot run: a node listed as live whose silo
    /// is gone, a silo that stopped answering before membership declared it dead (its grain-directory partition included,
    /// which makes even activations on live silos fail for those seconds).
    /// </summary>
    private static bool IsClusterInFlux(Exception ex) =>
        ex is NodeUnavailableException or OrleansMessageRejectionException or SiloUnavailableException;

    public Task InstanceGone(string instanceKey, CancellationToken ct = default)
    {
        // An unparsable or foreign key cannot be one of ours; ignoring it keeps a dying instance's deactivation quiet.
        if (InstanceKey.TryParse(instanceKey, out var key) && _live.Remove(key))
        {
            LogForgot(Name, instanceKey);
        }

        return Task.CompletedTask;
    }

    /// <summary>Once per activation: the running instances the nodes report join <see cref="_live"/>, so a re-created grain reuses them.</summary>
    private void AdoptReportedInstances(ImmutableArray<MeshNode> nodes)
    {
        if (_adopted)
        {
            return;   // later reports may lag an InstanceGone this activation already heard: trust its own view from now on
        }

        _adopted = true;
        foreach (var key in ReportedInstances.Of(Name, nodes, includeStale: false))
        {
            if (_live.Add(key))
            {
                LogAdopted(Name, key.Format());
            }
        }
    }

    // A deleted service serves nothing: its instances stop now instead of at their idle cull, so a cached route fails to
    // connect and the gateway's resolve answers 404. Best effort: the registry entry is already gone. Besides the ones
    // this activation knows, every instance a node reports is stopped (a re-created grain knows none). Any re-activation
    // cannot start a container: the registration it reads no longer exists.
    private async Task<int> StopInstancesAsync(CancellationToken cancellationToken)
    {
        var keys = new HashSet<InstanceKey>(_live);
        _live.Clear();
        try
        {
            keys.UnionWith(ReportedInstances.Of(Name, await GrainFactory.GetMeshDirectory().ListNodes(cancellationToken), includeStale: true));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogReportsUnavailable(Name, ex.Message);
        }

        var stopped = await Task.WhenAll(keys.Select(async key =>
        {
            try
            {
                // An instance grain that is not active (culled, its InstanceGone still on the way) activates to take the
                // call and reads this grain's registration: without call-chain reentrancy that read would wait behind
                // this very Delete. It finds the service gone, so it starts nothing.
                using var reentrancy = RequestContext.AllowCallChainReentrancy();
                await GrainFactory.GetInstanceGrain(key).Stop(cancellationToken);
                return true;
            }
            catch (InstanceStartException)
            {
                return false;   // it was not running any more, and the registration it read is gone
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStopFailed(Name, key.Format(), ex.Message);
                return false;
            }
        }));
        return stopped.Count(ok => ok);
    }

    /// <summary>The lowest ordinal on <paramref name="node"/> not held by a live instance, so keys stay small and are reused.</summary>
    private InstanceKey NextFreeKey(string node)
    {
        var ordinal = 0;
        while (_live.Contains(new InstanceKey(Name, node, ordinal)))
        {
            ordinal++;
        }

        return new InstanceKey(Name, node, ordinal);
    }

    private Task LoadAsync(CancellationToken cancellationToken) => _loaded ? Task.CompletedTask : ReadAsync(cancellationToken);

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await storage.ReadStateAsync(StateName, this.GetGrainId(), _state, cancellationToken);
            _loaded = true;
        }
        catch (Exception)
        {
            _loaded = false;
            DeactivateOnIdle();   // hold nothing while the registry is unreachable
            throw;
        }
    }

    /// <summary>
    /// After a failed write the outcome in etcd is unknown (a timed-out write may still land): restore the copy,
    /// mark it for re-reading and let this activation go, so the next call reads etcd afresh.
    /// </summary>
    private void Forget(ServiceState previous)
    {
        _state.State = previous;
        _loaded = false;
        DeactivateOnIdle();
    }

    private ServiceConflictException Conflict(long expected, long stored) =>
        new($"service '{Name}' was changed by another writer: expected version {expected}, stored version {stored}; read it again and retry");

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name} registered at version {Version} (was {Previous})")]
    private partial void LogRegistered(string name, long version, long previous);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name} deleted at version {Version}")]
    private partial void LogDeleted(string name, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}: instance {InstanceKey} allocated for node {FromNode} (RTT {RttMs} ms)")]
    private partial void LogAllocated(string name, string instanceKey, string fromNode, double? rttMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Name}: instance {InstanceKey} could not be used, trying the next option: {Error}")]
    private partial void LogStepFailed(string name, string instanceKey, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Name}: resolve from node {FromNode} refused: {Why}")]
    private partial void LogRefused(string name, string fromNode, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}: resolve from node {FromNode} found nothing while the mesh directory is rebuilding: {Why}")]
    private partial void LogRebuilding(string name, string fromNode, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Name} deleted: its instance {InstanceKey} could not be stopped (it ends at its idle cull): {Error}")]
    private partial void LogStopFailed(string name, string instanceKey, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}: adopted instance {InstanceKey}, which its node reports running")]
    private partial void LogAdopted(string name, string instanceKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Name} deleted: the nodes' instance reports could not be read, so only the instances this activation knows are stopped: {Error}")]
    private partial void LogReportsUnavailable(string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}: instance {InstanceKey} is gone; forgotten")]
    private partial void LogForgot(string name, string instanceKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Name}: write based on version {BasedOn} lost a race with version {Stored}; retrying")]
    private partial void LogRetry(string name, long basedOn, long stored);
}
