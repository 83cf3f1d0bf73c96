using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.TestKit;

namespace PhysarumSM.Gateway.Tests.Routing;

// The periodic side: policy checks through the cache, idle drop, the refresh signal and background refreshes.
public sealed class RouteCacheCheckTests : IDisposable
{
    private const string Service = Routes.Service;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestRtt _rtt = new TestRtt().Set("a", 5).Set("b", 8);
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromMinutes(1));   // failure guard only

    private CancellationToken Ct => _guard.Token;

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task Checks_promote_demote_and_remove_cached_routes()
    {
        var answer = Routes.On("a");
        var resolver = new AnsweringResolver(_ => answer);
        using var cache = NewCache(resolver);
        await cache.GetAsync(Service, Ct);

        Tick(cache);
        Assert.Equal(2, Level(cache));
        _rtt.Set("a", 30);
        Tick(cache);
        Assert.Equal(1, Level(cache));
        Assert.Equal(30, Assert.Single(cache.Snapshot().Routes).RttMs);
        Assert.Equal(2, resolver.Calls);   // a background refresh, answered with a again: level kept

        _rtt.Set("a", 60);
        Tick(cache);
        Assert.Empty(cache.Snapshot().Routes);
        answer = Routes.On("b");
        Assert.Equal(Routes.On("b"), await cache.GetAsync(Service, Ct));
        Assert.Equal(3, resolver.Calls);
    }

    [Fact]
    public async Task An_unused_route_is_dropped_after_the_idle_ttl_and_a_finished_request_counts_as_use()
    {
        var resolver = new AnsweringResolver(_ => Routes.On("a"));
        using var cache = NewCache(resolver);
        var route = await cache.GetAsync(Service, Ct);
        var ttl = new RouteCacheOptions().IdleTtl;

        _time.Advance(ttl * 0.75);
        cache.ReportSuccess(route);   // a long request finished just now
        _time.Advance(ttl * 0.75);
        cache.CheckNow();
        Assert.Single(cache.Snapshot().Routes);

        _time.Advance(ttl);
        cache.CheckNow();
        Assert.Empty(cache.Snapshot().Routes);
        await cache.GetAsync(Service, Ct);
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task Refresh_is_needed_when_no_cached_route_meets_soft()
    {
        _rtt.Set("a", 30);
        using var cache = NewCache(new AnsweringResolver(_ => Routes.On("a")));
        Assert.False(cache.NeedsRefresh(Service));
        await cache.GetAsync(Service, Ct);
        Assert.True(cache.NeedsRefresh(Service));

        _rtt.Set("a", 10);
        Tick(cache);
        Assert.False(cache.NeedsRefresh(Service));
    }

    [Fact]
    public async Task A_background_refresh_runs_once_at_a_time_its_failure_is_logged_and_a_nearer_instance_takes_over()
    {
        _rtt.Set("a", 30).Set("b", 3);
        var resolver = new GatedResolver();
        var logger = new ListLogger<RouteCache>();
        var options = new RouteCacheOptions { StartLevel = 4, MaxLevel = 4 };
        using var cache = NewCache(resolver, options, logger);
        var first = cache.GetAsync(Service, Ct);
        resolver.Last.Return(Routes.On("a"));
        await first;

        // a misses soft: one refresh starts; requests keep using a meanwhile.
        Tick(cache);
        Assert.Equal(2, resolver.Calls);
        Assert.True(cache.GetAsync(Service, Ct).IsCompletedSuccessfully);
        Tick(cache);
        Assert.Equal(2, resolver.Calls);

        // It fails: logged, not thrown; the cached route stays; no new refresh before the refresh interval.
        resolver.Last.Throw(new NoRouteException("no node with room"));
        await Eventually.HoldsAsync(() => cache.Snapshot().Resolving.Count == 0, Ct);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Exception is NoRouteException);
        Tick(cache);
        Assert.Equal(2, resolver.Calls);
        Assert.Equal(Routes.On("a"), await cache.GetAsync(Service, Ct));

        // After it, another refresh; this time the mesh started b, nearer, which takes over.
        _time.Advance(options.RefreshInterval);
        Tick(cache);
        Assert.Equal(3, resolver.Calls);
        resolver.Last.Return(Routes.On("b"));
        await Eventually.HoldsAsync(() => cache.Snapshot().Routes.Count == 2, Ct);
        Assert.Equal(Routes.On("b"), await cache.GetAsync(Service, Ct));
        Assert.False(cache.NeedsRefresh(Service));
        Tick(cache);
        Assert.Equal(3, resolver.Calls);
    }

    [Fact]
    public async Task A_request_finding_no_usable_route_joins_the_background_refresh()
    {
        _rtt.Set("a", 30);
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver);
        var first = cache.GetAsync(Service, Ct);
        resolver.Last.Return(Routes.On("a"));
        await first;
        Tick(cache);
        Assert.Equal(2, resolver.Calls);

        _rtt.Set("a", 70);
        var joined = cache.GetAsync(Service, Ct);
        Assert.False(joined.IsCompleted);
        Assert.Equal(2, resolver.Calls);
        resolver.Last.Return(Routes.On("b"));
        Assert.Equal(Routes.On("b"), await joined);
    }

    [Fact]
    public async Task The_check_loop_applies_the_policy_on_each_tick_until_cancelled()
    {
        using var cache = NewCache(new AnsweringResolver(_ => Routes.On("a")));
        await cache.GetAsync(Service, Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var loop = cache.RunChecksAsync(stop.Token);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => Level(cache) == 2, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => Level(cache) == 3, Ct);

        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task The_hosted_checks_run_the_loop_for_the_hosts_lifetime()
    {
        using var cache = NewCache(new AnsweringResolver(_ => Routes.On("a")));
        var route = await cache.GetAsync(Service, Ct);
        using var checks = new RouteCacheChecks(cache);
        await checks.StartAsync(Ct);

        // The loop starts on its own thread, so the clock moves until a tick has landed.
        await Eventually.HoldsAsync(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            cache.ReportSuccess(route);
            return Level(cache) > 1;
        }, Ct);
        await checks.StopAsync(Ct);
        Assert.True(checks.ExecuteTask?.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_failing_rtt_source_is_logged_and_the_loop_goes_on()
    {
        var rtt = new ThrowingRtt();
        var logger = new ListLogger<RouteCache>();
        using var cache = new RouteCache(new AnsweringResolver(_ => Routes.On("a")), rtt, Options.Create(new RouteCacheOptions()), logger, _time);
        await cache.GetAsync(Service, Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var loop = cache.RunChecksAsync(stop.Token);

        rtt.Fail = true;
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => logger.Entries.Any(e => e.Level == LogLevel.Error), Ct);
        rtt.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => Level(cache) == 2, Ct);

        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task The_snapshot_lists_routes_by_rank_with_the_counters()
    {
        var answers = new Queue<Route>([Routes.On("b"), Routes.On("a")]);
        using var cache = NewCache(new AnsweringResolver(_ => answers.Dequeue()), new RouteCacheOptions { SpreadEqualRoutes = false });
        var b = await cache.GetAsync(Service, Ct);
        var a = await cache.GetAsync(Service, Ct, b.InstanceId);
        await cache.GetAsync(Service, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));

        var snapshot = cache.Snapshot();
        Assert.Equal(new[] { a, b }, snapshot.Routes.Select(r => r.Route));
        Assert.All(snapshot.Routes, r => Assert.Equal(1, r.Level));
        Assert.Equal(TimeSpan.FromSeconds(2), snapshot.Routes[0].IdleFor);
        Assert.Equal((1L, 2L), (snapshot.Hits, snapshot.Resolves));
        Assert.Empty(snapshot.Resolving);
    }

    [Fact]
    public async Task Equally_near_instances_share_the_requests()
    {
        var next = 0;
        using var cache = NewCache(new AnsweringResolver(_ => Routes.On(TestRtt.Self, ordinal: next++)));
        var first = await cache.GetAsync(Service, Ct);
        await cache.GetAsync(Service, Ct, first.InstanceId);

        var taken = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            taken.Add((await cache.GetAsync(Service, Ct)).InstanceId);
        }

        Assert.Equal(5, taken.Count(id => id == first.InstanceId));
    }

    private RouteCache NewCache(IRouteResolver resolver, RouteCacheOptions? options = null, ILogger<RouteCache>? logger = null) =>
        new(resolver, _rtt, Options.Create(options ?? new RouteCacheOptions()), logger ?? NullLogger<RouteCache>.Instance, _time);

    // One check a second, with a request in between so the route does not idle out.
    private void Tick(RouteCache cache)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        foreach (var route in cache.Snapshot().Routes)
        {
            cache.ReportSuccess(route.Route);
        }

        cache.CheckNow();
    }

    private static int Level(RouteCache cache) => Assert.Single(cache.Snapshot().Routes).Level;

    private sealed class ThrowingRtt : IRttSource
    {
        public volatile bool Fail;

        public double? RttMs(string nodeId) => Fail ? throw new InvalidOperationException("ping monitor stopped") : 5;
    }
}
