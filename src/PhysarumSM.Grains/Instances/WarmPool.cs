using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;

namespace PhysarumSM.Grains.Instances;

/// <summary>A culled instance's container, paused in the warm pool; why a record: it is what the pool hands back and what capacity counts.</summary>
internal sealed record WarmContainer(string Service, string ContainerId, string Image, DateTimeOffset PausedAt, double CpuCores, long MemoryMiB);

/// <summary>
/// This node's paused containers of culled instances, kept for <see cref="AllocatorOptions.WarmPoolTtl"/> so the next
/// instance of the same service starts by unpausing instead of running a new container. Why node-local and in memory:
/// a paused container only helps allocations on its own engine, and the startup sweep removes whatever a crash left.
/// </summary>
internal sealed partial class WarmPool(ContainerRuntime runtime, IOptions<AllocatorOptions> options, TimeProvider clock, ILogger<WarmPool> logger)
    : IDisposable
{
    private readonly Lock _gate = new();

    // By container id; whoever removes an entry under the gate owns its container (take, expiry and eviction race).
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>Whether culled containers are parked at all (a zero TTL removes them at once).</summary>
    public bool Enabled => options.Value.WarmPoolTtl > TimeSpan.Zero;

    /// <summary>A snapshot of the paused containers, for capacity and the sweep.</summary>
    public IReadOnlyList<WarmContainer> Paused
    {
        get
        {
            lock (_gate)
            {
                return [.. _slots.Values.Select(s => s.Container)];
            }
        }
    }

    /// <summary>Whether the pool owns <paramref name="containerId"/>, so neither the sweep nor a label adoption takes it.</summary>
    public bool Tracks(string containerId)
    {
        lock (_gate)
        {
            return _slots.ContainsKey(containerId);
        }
    }

    /// <summary>Pauses the container and keeps it until the TTL ends; false when it could not be paused (then the caller removes it).</summary>
    public async Task<bool> TryParkAsync(string service, string containerId, string image, double cpuCores, long memoryMiB)
    {
        var ttl = options.Value.WarmPoolTtl;
        if (ttl <= TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            await runtime.PauseAsync(containerId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContainerNotFoundException or InvalidOperationException or DockerEngineUnavailableException
                                       or Docker.DotNet.DockerApiException)
        {
            LogParkFailed(containerId, ex.Message);
            return false;
        }

        var container = new WarmContainer(service, containerId, image, clock.GetUtcNow(), cpuCores, memoryMiB);
        var timer = clock.CreateTimer(_ => Expire(containerId), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _slots[containerId] = new Slot(container, timer);
        }

        // Armed only once the slot exists, so an expiry never misses its entry.
        timer.Change(ttl, Timeout.InfiniteTimeSpan);
        LogParked(containerId, service, ttl);
        return true;
    }

    /// <summary>Takes the most recently paused container of <paramref name="service"/> running <paramref name="image"/>; null when none.</summary>
    public WarmContainer? TryTake(string service, string image)
    {
        Slot? taken;
        lock (_gate)
        {
            // The newest one: the oldest are the first to expire or be evicted anyway.
            taken = _slots.Values
                .Where(s => string.Equals(s.Container.Service, service, StringComparison.Ordinal)
                            && string.Equals(s.Container.Image, image, StringComparison.Ordinal))
                .MaxBy(s => s.Container.PausedAt);
            if (taken is not null)
            {
                _slots.Remove(taken.Container.ContainerId);
            }
        }

        taken?.Timer.Dispose();
        return taken?.Container;
    }

    /// <summary>Removes the oldest paused containers until <paramref name="hasRoom"/> holds or the pool is empty; returns how many.</summary>
    public async Task<int> MakeRoomAsync(Func<bool> hasRoom)
    {
        var evicted = 0;
        while (!hasRoom())
        {
            Slot? oldest;
            lock (_gate)
            {
                oldest = _slots.Values.MinBy(s => s.Container.PausedAt);
                if (oldest is not null)
                {
                    _slots.Remove(oldest.Container.ContainerId);
                }
            }

            if (oldest is null)
            {
                break;
            }

            oldest.Timer.Dispose();
            LogEvicted(oldest.Container.ContainerId, oldest.Container.Service);
            await TryRemoveAsync(oldest.Container.ContainerId).ConfigureAwait(false);
            evicted++;
        }

        return evicted;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var slot in _slots.Values)
            {
                slot.Timer.Dispose();
            }

            // The containers stay paused: the next start's sweep removes them, as any leftover.
            _slots.Clear();
        }
    }

    // Runs on a timer thread: nothing here may throw, and any removal failure is only logged. The timer is the entry's
    // own, so its firing is the expiry (no comparison with the clock, which a timer may precede by a tick).
    private void Expire(string containerId) => _ = ExpireAsync(containerId);

    private async Task ExpireAsync(string containerId)
    {
        Slot? due;
        lock (_gate)
        {
            if (_slots.Remove(containerId, out due) is false)
            {
                return;   // taken or evicted meanwhile: no longer ours to remove
            }
        }

        due.Timer.Dispose();
        LogExpired(containerId, due.Container.Service);
        await TryRemoveAsync(containerId).ConfigureAwait(false);
    }

    private async Task TryRemoveAsync(string containerId)
    {
        try
        {
            await runtime.RemoveAsync(containerId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerEngineUnavailableException or Docker.DotNet.DockerApiException)
        {
            LogRemoveFailed(containerId, ex.Message);
        }
    }

    private sealed record Slot(WarmContainer Container, ITimer Timer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm pool: paused container {ContainerId} of service {Service} for {Ttl}")]
    private partial void LogParked(string containerId, string service, TimeSpan ttl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm pool: could not pause container {ContainerId}, removing it instead: {Reason}")]
    private partial void LogParkFailed(string containerId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm pool: container {ContainerId} of service {Service} expired, removing it")]
    private partial void LogExpired(string containerId, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm pool: removing container {ContainerId} of service {Service} to make room")]
    private partial void LogEvicted(string containerId, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm pool: could not remove container {ContainerId}: {Reason}")]
    private partial void LogRemoveFailed(string containerId, string reason);
}
