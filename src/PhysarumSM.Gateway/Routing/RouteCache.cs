using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// The gateway's route cache: a warm route costs no grain call. Requests take the best cached instance without a
/// lock; a cold service is resolved once however many requests wait for it; every
/// <see cref="RouteCacheOptions.CheckInterval"/> the original peer cache's policy re-checks each cached instance by
/// RTT (<see cref="RoutePolicy"/>), and when no cached instance of a service meets its soft requirement any more the
/// service is resolved again in the background, so the mesh may start a nearer one.
/// </summary>
public sealed partial class RouteCache : IDisposable
{
    private readonly ConcurrentDictionary<string, ServiceRoutes> _services = new(StringComparer.Ordinal);
    private readonly IRouteResolver _resolver;
    private readonly IRttSource _rtt;
    private readonly RoutePolicy _policy;
    private readonly RouteCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RouteCache> _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private long _sequence;
    private long _hits;
    private long _resolves;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="resolver">Asks the mesh where a service should go (a grain call or the resolve protocol).</param>
    /// <param name="rtt">This host's RTT readings, for the per-second checks and the hard-requirement guard.</param>
    /// <param name="options">The policy; validated here.</param>
    /// <param name="logger">Logs removals and failed background refreshes.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public RouteCache(IRouteResolver resolver, IRttSource rtt, IOptions<RouteCacheOptions> options, ILogger<RouteCache> logger,
        TimeProvider? timeProvider = null)
    {
        _resolver = resolver;
        _rtt = rtt;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _policy = new RoutePolicy(_options, rtt, _time);
        _logger = logger;
    }

    /// <summary>
    /// The route for a request to <paramref name="service"/>: synchronously from the cache when a usable route is
    /// cached; otherwise after the service's single shared resolve (which may wait for a cold start).
    /// </summary>
    /// <param name="service">The service name.</param>
    /// <param name="cancellationToken">Stops this caller's wait only; the shared resolve goes on for the others.</param>
    /// <param name="excludeInstance">
    /// The instance that just failed this request, for its one retry: another cached instance if there is one, else a
    /// resolve — whose answer is returned even when it is the same instance (the caller decides).
    /// </param>
    /// <exception cref="ServiceNotFoundException">The service is not registered.</exception>
    /// <exception cref="NoRouteException">The mesh found no instance within the hard requirement.</exception>
    /// <exception cref="OperationCanceledException">This caller's wait, or the shared resolve's bound, ran out.</exception>
    public ValueTask<Route> GetAsync(string service, CancellationToken cancellationToken, string? excludeInstance = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        return _services.TryGetValue(service, out var routes) && TryTake(routes, excludeInstance) is { } cached
            ? new ValueTask<Route>(cached)
            : GetSlow(service, excludeInstance, cancellationToken);
    }

    /// <summary>
    /// A cached route for <paramref name="service"/> without waiting, or false (then call <see cref="GetAsync"/>). Why beside
    /// it: a caller can skip setting up its wait (a timer, a linked token) on the warm path, which is nearly every request.
    /// </summary>
    public bool TryGetCached(string service, string? excludeInstance, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Route? route)
    {
        ArgumentNullException.ThrowIfNull(service);
        route = _services.TryGetValue(service, out var routes) ? TryTake(routes, excludeInstance) : null;
        return route is not null;
    }

    /// <summary>A request on <paramref name="route"/> failed upstream: its instance leaves the cache at once.</summary>
    public void ReportFailure(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (!_services.TryGetValue(route.Service, out var routes))
        {
            return;
        }

        lock (routes.Gate)
        {
            var entries = routes.Entries;
            var index = IndexOf(entries, route.InstanceId);
            if (index < 0)
            {
                return;
            }

            routes.Entries = [.. entries[..index], .. entries[(index + 1)..]];
        }

        LogRemoved(route.Service, route.InstanceId, "a request failed");
    }

    /// <summary>
    /// A request on <paramref name="route"/> finished: counts as a use for the idle TTL (a long stream keeps its route).
    /// Levels follow RTT checks only, so successes cannot mask an instance that got slow.
    /// </summary>
    public void ReportSuccess(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (_services.TryGetValue(route.Service, out var routes) && Find(routes.Entries, route.InstanceId) is { } entry)
        {
            entry.Touch(_policy.Now);
        }
    }

    /// <summary>Whether <paramref name="service"/> has cached routes of which none meets its soft requirement.</summary>
    public bool NeedsRefresh(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!_services.TryGetValue(service, out var routes))
        {
            return false;
        }

        lock (routes.Gate)
        {
            return _policy.NeedsRefresh(routes.Entries);
        }
    }

    /// <summary>Forgets <paramref name="service"/>'s routes and its "not registered" memory (it was updated or deleted).</summary>
    public void Invalidate(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (_services.TryGetValue(service, out var routes))
        {
            lock (routes.Gate)
            {
                routes.Entries = [];
                routes.NotFoundAt = null;
            }
        }
    }

    /// <summary>Every cached route with its level and last RTT, and the cache's counters.</summary>
    public RouteCacheSnapshot Snapshot()
    {
        var now = _policy.Now;
        var routes = new List<CachedRouteInfo>();
        var resolving = new List<string>();
        foreach (var slot in _services.Values.OrderBy(s => s.Service, StringComparer.Ordinal))
        {
            CachedRoute[] entries;
            lock (slot.Gate)
            {
                entries = [.. slot.Entries];
                if (slot.Resolving is not null)
                {
                    resolving.Add(slot.Service);
                }
            }

            Array.Sort(entries, CompareByRank);
            routes.AddRange(entries.Select(e => new CachedRouteInfo(e.Route, e.Level, e.RttMs, _time.GetElapsedTime(e.LastUsed, now))));
        }

        return new RouteCacheSnapshot(routes, Interlocked.Read(ref _hits), Interlocked.Read(ref _resolves), resolving);
    }

    /// <summary>Cancels resolves still in flight; their waiters see <see cref="OperationCanceledException"/>.</summary>
    public void Dispose() => _lifetime.Cancel();   // not disposed: resolves finishing later still link its token

    // The lock-free hot path: no allocation when a route is cached.
    private Route? TryTake(ServiceRoutes routes, string? excludeInstance)
    {
        var entry = _policy.Choose(routes.Entries, excludeInstance, ref routes.SpreadCounter);
        if (entry is null)
        {
            return null;
        }

        entry.Touch(_policy.Now);
        Interlocked.Increment(ref _hits);
        return entry.Route;
    }

    private static int CompareByRank(CachedRoute a, CachedRoute b)
    {
        double Rtt(CachedRoute e) => e.RttMs ?? double.NaN;
        return RoutePolicy.IsBetter(a, Rtt(a), b, Rtt(b)) ? -1 : RoutePolicy.IsBetter(b, Rtt(b), a, Rtt(a)) ? 1 : 0;
    }

    private static int IndexOf(CachedRoute[] entries, string instanceId)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Route.InstanceId, instanceId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static CachedRoute? Find(CachedRoute[] entries, string instanceId)
    {
        var index = IndexOf(entries, instanceId);
        return index < 0 ? null : entries[index];
    }
}
