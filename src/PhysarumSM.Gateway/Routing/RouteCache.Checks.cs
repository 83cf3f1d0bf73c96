using Microsoft.Extensions.Logging;

namespace PhysarumSM.Gateway.Routing;

// The periodic side: applies the policy to every cached route and starts background refreshes.
public sealed partial class RouteCache
{
    /// <summary>
    /// Re-checks every cached route every <see cref="RouteCacheOptions.CheckInterval"/> until
    /// <paramref name="cancellationToken"/> is cancelled; the host runs it for the cache's lifetime.
    /// </summary>
    public async Task RunChecksAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    CheckNow();
                }
                catch (Exception ex)
                {
                    // One bad round (an RTT source throwing) must not end the checks for good.
                    LogCheckFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// One round of checks now: every route's level moves by its RTT, routes failing the policy leave, services
    /// whose routes all miss soft get a background refresh, and unused empty slots are dropped.
    /// </summary>
    public void CheckNow()
    {
        foreach (var slot in _services)
        {
            var routes = slot.Value;
            TaskCompletionSource<Route>? refresh;
            lock (routes.Gate)
            {
                CheckEntries(routes);
                refresh = StartRefreshIfNeeded(routes, _policy.Now);
                RetireIfUnused(slot);
            }

            if (refresh is not null)
            {
                _ = RunResolveAsync(routes, refresh, background: true);
            }
        }
    }

    // Under the slot's lock.
    private void CheckEntries(ServiceRoutes routes)
    {
        var entries = routes.Entries;
        List<CachedRoute>? kept = null;
        for (var i = 0; i < entries.Length; i++)
        {
            var verdict = _policy.Check(entries[i]);
            if (verdict.IsRemoval())
            {
                kept ??= [.. entries[..i]];
                LogRemoved(routes.Service, entries[i].Route.InstanceId, verdict.ToString());
            }
            else
            {
                kept?.Add(entries[i]);
            }
        }

        if (kept is not null)
        {
            routes.Entries = [.. kept];
        }
    }

    // Under the slot's lock. Retired slots are never reused: a holder sees the flag and looks the service up again.
    private void RetireIfUnused(KeyValuePair<string, ServiceRoutes> slot)
    {
        var routes = slot.Value;
        if (routes.Entries.Length > 0 || routes.Resolving is not null
            || routes.NotFoundAt is { } at && _time.GetElapsedTime(at) < _options.NotFoundTtl)
        {
            return;
        }

        routes.Retired = true;
        ((ICollection<KeyValuePair<string, ServiceRoutes>>)_services).Remove(slot);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route cache: {Service} instance {InstanceId} removed ({Reason})")]
    private partial void LogRemoved(string service, string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route cache: no cached route of {Service} meets its soft requirement; resolving it again in the background")]
    private partial void LogRefreshing(string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route cache: background refresh of {Service} failed; its cached routes stay in use")]
    private partial void LogRefreshFailed(string service, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route cache: resolving {Service} failed: {Reason}")]
    private partial void LogResolveFailed(string service, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route cache: {Service} instance {InstanceId} was resolved at {RttMs} ms from here, above its hard requirement of {HardRttMs} ms; answered but not cached")]
    private partial void LogAboveHardNotCached(string service, string instanceId, double? rttMs, int hardRttMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route cache: a round of checks failed")]
    private partial void LogCheckFailed(Exception exception);
}
