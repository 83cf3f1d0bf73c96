namespace PhysarumSM.Gateway.Routing;

// Single-flight resolution: one resolve per service at a time, shared by every waiter and by background refreshes.
public sealed partial class RouteCache
{
    private ValueTask<Route> GetSlow(string service, string? excludeInstance, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Route>(cancellationToken);
        }

        while (true)
        {
            var routes = _services.GetOrAdd(service, static name => new ServiceRoutes(name));
            TaskCompletionSource<Route>? started = null;
            Task<Route> shared;
            lock (routes.Gate)
            {
                if (routes.Retired)
                {
                    continue;   // the checks dropped this slot just now; take the current one
                }

                // A resolve may have finished between the lock-free look and here.
                if (TryTake(routes, excludeInstance) is { } cached)
                {
                    return new ValueTask<Route>(cached);
                }

                if (routes.NotFoundAt is { } at && _time.GetElapsedTime(at) < _options.NotFoundTtl)
                {
                    return ValueTask.FromException<Route>(new ServiceNotFoundException(service));
                }

                shared = routes.Resolving ??= (started = NewShared()).Task;
            }

            if (started is not null)
            {
                _ = RunResolveAsync(routes, started, background: false);
            }

            // WaitAsync: a cancelled waiter leaves; the shared resolve runs on for the others.
            return new ValueTask<Route>(shared.IsCompleted || !cancellationToken.CanBeCanceled ? shared : shared.WaitAsync(cancellationToken));
        }
    }

    // Starts a background refresh when the service's routes all miss soft; call under the slot's lock.
    private TaskCompletionSource<Route>? StartRefreshIfNeeded(ServiceRoutes routes, long now)
    {
        if (routes.Resolving is not null || !_policy.NeedsRefresh(routes.Entries)
            || routes.LastRefresh is { } last && _time.GetElapsedTime(last, now) < _options.RefreshInterval)
        {
            return null;
        }

        routes.LastRefresh = now;
        var refresh = NewShared();
        routes.Resolving = refresh.Task;
        LogRefreshing(routes.Service);
        return refresh;
    }

    // Runs outside any lock; never throws: the outcome goes to the shared task.
    private async Task RunResolveAsync(ServiceRoutes routes, TaskCompletionSource<Route> shared, bool background)
    {
        Interlocked.Increment(ref _resolves);
        using var bound = new CancellationTokenSource(_options.ResolveTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(bound.Token, _lifetime.Token);
        try
        {
            var route = await _resolver.ResolveAsync(routes.Service, linked.Token).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"the resolver returned no route for '{routes.Service}'");
            Remember(routes, route);
            shared.TrySetResult(route);
        }
        catch (Exception ex)
        {
            // Logged before the slot reopens, so whoever sees the resolve over also finds its failure reported.
            if (background)
            {
                LogRefreshFailed(routes.Service, ex);
            }
            else
            {
                LogResolveFailed(routes.Service, ex.Message);
            }

            Forget(routes, ex);

            _ = ex is OperationCanceledException && linked.IsCancellationRequested
                ? shared.TrySetCanceled(linked.Token)
                : shared.TrySetException(ex);
            _ = shared.Task.Exception;   // observed: every waiter may have given up already
        }
    }

    private void Remember(ServiceRoutes routes, Route route)
    {
        lock (routes.Gate)
        {
            routes.Resolving = null;
            routes.NotFoundAt = null;
            var entries = routes.Entries;
            if (Find(entries, route.InstanceId) is { } known)
            {
                // Same instance again: keep its level, take the fresh requirements.
                known.Route = route;
                known.Touch(_policy.Now);
                return;
            }

            if (_policy.Admit(route, Interlocked.Increment(ref _sequence)) is not { } entry)
            {
                // The mesh chose it, so the waiters get it, but the cache never serves a route above hard.
                LogAboveHardNotCached(route.Service, route.InstanceId, _rtt.RttMs(route.NodeId), route.HardRttMs);
                return;
            }

            if (entries.Length >= _options.MaxRoutesPerService)
            {
                var worst = Worst(entries);
                entries = [.. entries.Where(e => !ReferenceEquals(e, worst))];
                LogRemoved(routes.Service, worst.Route.InstanceId, "evicted for a newer route");
            }

            routes.Entries = [.. entries, entry];
        }
    }

    private void Forget(ServiceRoutes routes, Exception error)
    {
        lock (routes.Gate)
        {
            routes.Resolving = null;
            if (error is ServiceNotFoundException)
            {
                // Deleted or never registered: cached routes are stale, and a flood of requests should not reach the registry.
                routes.Entries = [];
                routes.NotFoundAt = _options.NotFoundTtl > TimeSpan.Zero ? _policy.Now : null;
            }
        }
    }

    private static CachedRoute Worst(CachedRoute[] entries)
    {
        var worst = entries[0];
        foreach (var entry in entries)
        {
            if (CompareByRank(entry, worst) > 0)
            {
                worst = entry;
            }
        }

        return worst;
    }

    private static TaskCompletionSource<Route> NewShared() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
