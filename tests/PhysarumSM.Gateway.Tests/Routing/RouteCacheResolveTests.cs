using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.TestKit;

namespace PhysarumSM.Gateway.Tests.Routing;

// Request-side behaviour: warm hits, single-flight resolves, cancellation, errors, failures and the one retry.
public sealed class RouteCacheResolveTests : IDisposable
{
    private const string Service = Routes.Service;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestRtt _rtt = new TestRtt().Set("a", 5).Set("b", 8);
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromMinutes(1));   // failure guard only

    private CancellationToken Ct => _guard.Token;

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task A_warm_route_is_answered_synchronously_without_a_resolve()
    {
        var resolver = new AnsweringResolver(_ => Routes.On("a"));
        using var cache = NewCache(resolver);

        Assert.Equal(Routes.On("a"), await cache.GetAsync(Service, Ct));
        var warm = cache.GetAsync(Service, Ct);

        Assert.True(warm.IsCompletedSuccessfully);
        Assert.Equal(Routes.On("a"), await warm);
        Assert.Equal(1, resolver.Calls);
        var snapshot = cache.Snapshot();
        Assert.Equal((1L, 1L), (snapshot.Hits, snapshot.Resolves));
    }

    [Fact]
    public void A_warm_hit_allocates_nothing()
    {
        using var cache = NewCache(new AnsweringResolver(_ => Routes.On("a")));
        WarmHits(cache, 100);
        var before = GC.GetAllocatedBytesForCurrentThread();
        WarmHits(cache, 1_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Hundred_concurrent_requests_for_a_cold_service_cause_exactly_one_resolve()
    {
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        var requests = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            var pending = cache.GetAsync(Service, Ct);
            Interlocked.Increment(ref waiting);
            return await pending;
        }, Ct)).ToArray();

        go.SetResult();
        await Eventually.HoldsAsync(() => Volatile.Read(ref waiting) == 100, Ct);
        Assert.Equal(1, resolver.Calls);
        Assert.Equal(Service, Assert.Single(cache.Snapshot().Resolving));

        // A request arriving later, while the resolve still runs, shares it too.
        var late = cache.GetAsync(Service, Ct);
        Assert.False(late.IsCompleted);
        resolver.Last.Return(Routes.On("a"));

        Assert.All(await Task.WhenAll(requests), route => Assert.Equal(Routes.On("a"), route));
        Assert.Equal(Routes.On("a"), await late);
        Assert.Equal(1, resolver.Calls);
        Assert.Equal(Service, resolver.Last.Service);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_without_cancelling_the_shared_resolve()
    {
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver);
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var leaving = cache.GetAsync(Service, impatient.Token).AsTask();
        var staying = cache.GetAsync(Service, Ct).AsTask();

        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.False(resolver.Last.Token.IsCancellationRequested);
        resolver.Last.Return(Routes.On("a"));
        Assert.Equal(Routes.On("a"), await staying);
        Assert.Equal(1, resolver.Calls);
    }

    [Fact]
    public async Task A_resolve_everyone_gave_up_on_still_warms_the_cache()
    {
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver);
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var leaving = cache.GetAsync(Service, impatient.Token).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);

        resolver.Last.Return(Routes.On("a"));
        await Eventually.HoldsAsync(() => cache.Snapshot().Routes.Count == 1, Ct);
        Assert.True(cache.GetAsync(Service, Ct).IsCompletedSuccessfully);
        Assert.Equal(1, resolver.Calls);
    }

    [Fact]
    public async Task A_caller_already_cancelled_starts_no_resolve()
    {
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetAsync(Service, new CancellationToken(canceled: true)).AsTask());
        Assert.Equal(0, resolver.Calls);
    }

    [Fact]
    public async Task Resolver_errors_reach_every_waiter_and_are_not_cached()
    {
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver);
        var waiters = Enumerable.Range(0, 3).Select(_ => cache.GetAsync(Service, Ct).AsTask()).ToArray();
        resolver.Last.Throw(new NoRouteException("nothing within 50 ms"));
        foreach (var waiter in waiters)
        {
            await Assert.ThrowsAsync<NoRouteException>(() => waiter);
        }

        var again = cache.GetAsync(Service, Ct).AsTask();
        Assert.Equal(2, resolver.Calls);
        resolver.Last.Throw(new InvalidOperationException("silo unavailable"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => again);

        var third = cache.GetAsync(Service, Ct).AsTask();
        Assert.Equal(3, resolver.Calls);
        resolver.Last.Return(Routes.On("a"));
        Assert.Equal(Routes.On("a"), await third);
    }

    [Fact]
    public async Task Not_registered_is_remembered_for_the_not_found_ttl_only()
    {
        var resolver = new AnsweringResolver(name => throw new ServiceNotFoundException(name));
        using var cache = NewCache(resolver);

        var first = await Assert.ThrowsAsync<ServiceNotFoundException>(() => cache.GetAsync(Service, Ct).AsTask());
        Assert.Equal(Service, first.Service);
        await Assert.ThrowsAsync<ServiceNotFoundException>(() => cache.GetAsync(Service, Ct).AsTask());
        Assert.Equal(1, resolver.Calls);

        _time.Advance(new RouteCacheOptions().NotFoundTtl);
        await Assert.ThrowsAsync<ServiceNotFoundException>(() => cache.GetAsync(Service, Ct).AsTask());
        Assert.Equal(2, resolver.Calls);

        cache.Invalidate(Service);
        await Assert.ThrowsAsync<ServiceNotFoundException>(() => cache.GetAsync(Service, Ct).AsTask());
        Assert.Equal(3, resolver.Calls);
    }

    [Fact]
    public async Task Not_registered_forgets_the_routes_of_a_deleted_service()
    {
        var registered = true;
        var resolver = new AnsweringResolver(name => registered ? Routes.On("a") : throw new ServiceNotFoundException(name));
        using var cache = NewCache(resolver);
        await cache.GetAsync(Service, Ct);
        await cache.GetAsync(Service, Ct, excludeInstance: Routes.On("b").InstanceId);   // a warm hit: no resolve
        registered = false;

        await Assert.ThrowsAsync<ServiceNotFoundException>(() => cache.GetAsync(Service, Ct, Routes.On("a").InstanceId).AsTask());
        Assert.Empty(cache.Snapshot().Routes);
        await Assert.ThrowsAsync<ServiceNotFoundException>(() => cache.GetAsync(Service, Ct).AsTask());
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task A_failed_instance_leaves_the_cache_at_once()
    {
        var answers = new Queue<Route>([Routes.On("a"), Routes.On("b")]);
        var resolver = new AnsweringResolver(_ => answers.Dequeue());
        using var cache = NewCache(resolver);
        var first = await cache.GetAsync(Service, Ct);

        cache.ReportFailure(first);
        cache.ReportFailure(first);   // reported twice (two requests failed on it): harmless

        Assert.Empty(cache.Snapshot().Routes);
        Assert.Equal(Routes.On("b"), await cache.GetAsync(Service, Ct));
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task The_retry_takes_another_cached_instance_or_forces_a_resolve()
    {
        var answers = new Queue<Route>([Routes.On("a"), Routes.On("b")]);
        var resolver = new AnsweringResolver(_ => answers.Dequeue());
        using var cache = NewCache(resolver);
        var a = await cache.GetAsync(Service, Ct);

        // Only the excluded instance is cached: resolve.
        Assert.Equal(Routes.On("b"), await cache.GetAsync(Service, Ct, a.InstanceId));
        Assert.Equal(2, resolver.Calls);

        // Both cached now: each retry takes the other one without a resolve.
        var notB = cache.GetAsync(Service, Ct, Routes.On("b").InstanceId);
        var notA = cache.GetAsync(Service, Ct, a.InstanceId);
        Assert.True(notB.IsCompletedSuccessfully && notA.IsCompletedSuccessfully);
        Assert.Equal((Routes.On("a"), Routes.On("b")), (await notB, await notA));
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task The_retry_gets_the_excluded_instance_back_when_the_mesh_has_no_other()
    {
        var resolver = new AnsweringResolver(_ => Routes.On("a"));
        using var cache = NewCache(resolver);
        var a = await cache.GetAsync(Service, Ct);
        Assert.Equal(a, await cache.GetAsync(Service, Ct, a.InstanceId));
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task A_route_this_host_measures_above_hard_is_answered_but_not_cached()
    {
        _rtt.Set("a", 80);
        var resolver = new AnsweringResolver(_ => Routes.On("a"));
        using var cache = NewCache(resolver);
        Assert.Equal(Routes.On("a"), await cache.GetAsync(Service, Ct));
        Assert.Empty(cache.Snapshot().Routes);
        await cache.GetAsync(Service, Ct);
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task The_same_instance_resolved_again_keeps_its_level_and_takes_the_new_requirements()
    {
        var soft = 20;
        var resolver = new AnsweringResolver(_ => Routes.On("a", soft: soft));
        using var cache = NewCache(resolver);
        var a = await cache.GetAsync(Service, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        cache.CheckNow();

        soft = 30;
        await cache.GetAsync(Service, Ct, a.InstanceId);

        var entry = Assert.Single(cache.Snapshot().Routes);
        Assert.Equal(new RouteCacheOptions().StartLevel + 1, entry.Level);
        Assert.Equal(30, entry.Route.SoftRttMs);
    }

    [Fact]
    public async Task A_service_keeps_at_most_the_configured_number_of_routes_dropping_the_worst()
    {
        _rtt.Set("c", 5).Set("d", 9);
        var answers = new Queue<Route>([Routes.On("a"), Routes.On("c"), Routes.On("d")]);
        var resolver = new AnsweringResolver(_ => answers.Dequeue());
        using var cache = NewCache(resolver, new RouteCacheOptions { MaxRoutesPerService = 2 });
        var a = await cache.GetAsync(Service, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        cache.CheckNow();   // a moves up a level: it is the one to keep
        var c = await cache.GetAsync(Service, Ct, a.InstanceId);

        // c goes above hard (the live guard skips it before the next check), so the retry resolves a third route.
        _rtt.Set("c", 60);
        var d = await cache.GetAsync(Service, Ct, a.InstanceId);

        Assert.Equal(3, resolver.Calls);
        Assert.Equal(new[] { a, d }, cache.Snapshot().Routes.Select(r => r.Route));
        Assert.NotEqual(c, d);
    }

    [Fact]
    public async Task The_shared_resolve_is_bounded_by_the_resolve_timeout()
    {
        var resolver = new GatedResolver();
        using var cache = NewCache(resolver, new RouteCacheOptions { ResolveTimeout = TimeSpan.FromSeconds(10) });
        var waiter = cache.GetAsync(Service, Ct).AsTask();

        _time.Advance(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.True(resolver.Last.Token.IsCancellationRequested);
        var next = cache.GetAsync(Service, Ct).AsTask();
        Assert.Equal(2, resolver.Calls);
        resolver.Last.Return(Routes.On("a"));
        Assert.Equal(Routes.On("a"), await next);
    }

    [Fact]
    public async Task Disposing_the_cache_cancels_resolves_in_flight()
    {
        var resolver = new GatedResolver();
        var cache = NewCache(resolver);
        var waiter = cache.GetAsync(Service, Ct).AsTask();
        cache.Dispose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
    }

    private RouteCache NewCache(IRouteResolver resolver, RouteCacheOptions? options = null, ILogger<RouteCache>? logger = null) =>
        new(resolver, _rtt, Options.Create(options ?? new RouteCacheOptions()), logger ?? NullLogger<RouteCache>.Instance, _time);

    private static void WarmHits(RouteCache cache, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var hit = cache.GetAsync(Service, CancellationToken.None);
            if (!hit.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("expected a warm hit");
            }
        }
    }
}
