using Microsoft.Extensions.Time.Testing;
using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Tests.Routing;

// Soft 20 ms, hard 50 ms unless a test says otherwise; levels 0..4, entering at 1.
public sealed class RoutePolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestRtt _rtt = new();
    private readonly RouteCacheOptions _options = new() { SpreadEqualRoutes = false };
    private long _sequence;

    private RoutePolicy Policy => new(_options, _rtt, _time);

    [Fact]
    public void A_resolved_route_enters_at_the_start_level_with_its_rtt()
    {
        _rtt.Set("a", 12);
        var entry = Admit(Routes.On("a"));
        Assert.Equal(_options.StartLevel, entry.Level);
        Assert.Equal(12, entry.RttMs);
        Assert.Null(entry.UnmeasuredSince);
    }

    [Fact]
    public void A_route_measured_above_hard_is_not_admitted()
    {
        _rtt.Set("a", 51);
        Assert.Null(Policy.Admit(Routes.On("a"), 1));
        _rtt.Set("a", 50);
        Assert.NotNull(Policy.Admit(Routes.On("a"), 1));
    }

    [Fact]
    public void Within_soft_promotes_once_per_check_up_to_the_max_level()
    {
        _rtt.Set("a", 20);
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        for (var level = _options.StartLevel + 1; level <= _options.MaxLevel; level++)
        {
            Assert.Equal(RouteVerdict.Promoted, Check(policy, entry));
            Assert.Equal(level, entry.Level);
        }

        Assert.Equal(RouteVerdict.Kept, Check(policy, entry));
        Assert.Equal(_options.MaxLevel, entry.Level);
    }

    [Fact]
    public void Between_soft_and_hard_demotes_once_per_check_and_below_the_minimum_removes()
    {
        _rtt.Set("a", 5);
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        Check(policy, entry);
        Check(policy, entry);
        Assert.Equal(3, entry.Level);

        _rtt.Set("a", 35);
        Assert.Equal(RouteVerdict.Demoted, Check(policy, entry));
        Assert.Equal(2, entry.Level);
        Assert.Equal(RouteVerdict.Demoted, Check(policy, entry));
        Assert.Equal(RouteVerdict.Demoted, Check(policy, entry));
        Assert.Equal(_options.MinLevel, entry.Level);
        Assert.Equal(RouteVerdict.RemovedUnreliable, Check(policy, entry));
    }

    [Fact]
    public void A_demoted_route_recovers_when_it_meets_soft_again()
    {
        _rtt.Set("a", 35);
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        Assert.Equal(RouteVerdict.Demoted, Check(policy, entry));
        _rtt.Set("a", 10);
        Assert.Equal(RouteVerdict.Promoted, Check(policy, entry));
        Assert.Equal(_options.StartLevel, entry.Level);
    }

    [Fact]
    public void Above_hard_removes_at_once_even_at_the_max_level()
    {
        _rtt.Set("a", 1);
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        while (entry.Level < _options.MaxLevel)
        {
            Check(policy, entry);
        }

        _rtt.Set("a", 50.5);
        Assert.Equal(RouteVerdict.RemovedAboveHard, Check(policy, entry));
    }

    [Fact]
    public void No_soft_requirement_promotes_any_rtt_within_hard_and_no_hard_requirement_never_removes_for_rtt()
    {
        _rtt.Set("a", 49).Set("b", 10_000);
        var policy = Policy;
        var noSoft = Admit(Routes.On("a", soft: 0, hard: 50));
        Assert.Equal(RouteVerdict.Promoted, Check(policy, noSoft));

        var noHard = Admit(Routes.On("b", soft: 20, hard: 0));
        Assert.Equal(RouteVerdict.Demoted, Check(policy, noHard));

        var none = Admit(Routes.On("b", soft: 0, hard: 0, ordinal: 1));
        Assert.Equal(RouteVerdict.Promoted, Check(policy, none));
    }

    [Fact]
    public void This_hosts_own_node_is_always_within_soft()
    {
        var policy = Policy;
        var entry = Admit(Routes.On(TestRtt.Self, soft: 1, hard: 1));
        for (var i = 0; i < 10; i++)
        {
            Assert.NotEqual(RouteVerdict.Demoted, Check(policy, entry));
        }

        Assert.Equal(_options.MaxLevel, entry.Level);
    }

    [Fact]
    public void Unmeasured_keeps_its_level_for_the_grace_period_then_demotes_each_check_until_removed()
    {
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        Assert.NotNull(entry.UnmeasuredSince);

        _time.Advance(_options.UnmeasuredGrace);
        Assert.Equal(RouteVerdict.Kept, policy.Check(entry));
        Assert.Equal(_options.StartLevel, entry.Level);

        Assert.Equal(RouteVerdict.Demoted, Check(policy, entry));
        Assert.Equal(RouteVerdict.RemovedUnreliable, Check(policy, entry));
    }

    [Fact]
    public void A_measurement_restarts_the_grace_period()
    {
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        _time.Advance(_options.UnmeasuredGrace - TimeSpan.FromSeconds(1));
        _rtt.Set("a", 10);
        Assert.Equal(RouteVerdict.Promoted, Check(policy, entry));
        Assert.Null(entry.UnmeasuredSince);

        // The grace period counts from the first missing reading, not from admission.
        _rtt.Set("a", null);
        Assert.Equal(RouteVerdict.Kept, Check(policy, entry));
        _time.Advance(_options.UnmeasuredGrace);
        Assert.Equal(RouteVerdict.Kept, policy.Check(entry));
        Assert.Equal(RouteVerdict.Demoted, Check(policy, entry));
    }

    [Fact]
    public void A_route_unused_for_longer_than_the_idle_ttl_is_dropped_and_use_keeps_it()
    {
        _rtt.Set("a", 1);
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        _time.Advance(_options.IdleTtl);
        Assert.Equal(RouteVerdict.Promoted, policy.Check(entry));

        entry.Touch(_time.GetTimestamp());
        _time.Advance(_options.IdleTtl);
        Assert.Equal(RouteVerdict.Promoted, policy.Check(entry));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(RouteVerdict.RemovedIdle, policy.Check(entry));
    }

    [Fact]
    public void Choice_prefers_the_higher_level_over_a_lower_rtt()
    {
        _rtt.Set("far", 15).Set("near", 2);
        var policy = Policy;
        var far = Admit(Routes.On("far"));
        Check(policy, far);
        var near = Admit(Routes.On("near"));
        Assert.Same(far, Choose(policy, near, far));
    }

    [Fact]
    public void Choice_on_equal_levels_takes_the_lowest_rtt_then_admission_order_and_unmeasured_last()
    {
        _rtt.Set("a", 9).Set("b", 3).Set("c", 3);
        var policy = Policy;
        var unmeasured = Admit(Routes.On("x"));
        var a = Admit(Routes.On("a"));
        var b = Admit(Routes.On("b"));
        var c = Admit(Routes.On("c"));
        Assert.Same(b, Choose(policy, unmeasured, a, c, b));
        Assert.Same(a, Choose(policy, unmeasured, a));
        Assert.Same(unmeasured, Choose(policy, unmeasured));
        Assert.Null(Choose(policy));
    }

    [Fact]
    public void Choice_skips_the_excluded_instance_and_any_route_above_hard_by_the_live_rtt()
    {
        _rtt.Set("a", 1).Set("b", 10);
        var policy = Policy;
        var a = Admit(Routes.On("a"));
        var b = Admit(Routes.On("b"));
        var spread = 0;
        Assert.Same(b, policy.Choose([a, b], a.Route.InstanceId, ref spread));

        // Between two checks the guard still holds: the live reading decides.
        _rtt.Set("a", 60);
        Assert.Same(b, Choose(policy, a, b));
        _rtt.Set("b", 70);
        Assert.Null(Choose(policy, a, b));
    }

    [Fact]
    public void Spreading_rotates_over_equally_good_routes_only()
    {
        _options.SpreadEqualRoutes = true;
        _options.EqualRttToleranceMs = 0.5;
        _rtt.Set("a", 4).Set("b", 4.4).Set("c", 7);
        var policy = Policy;
        var a = Admit(Routes.On("a"));
        var b = Admit(Routes.On("b"));
        var c = Admit(Routes.On("c"));
        var spread = 0;
        var chosen = Enumerable.Range(0, 6).Select(_ => policy.Choose([a, b, c], null, ref spread)!.Route.NodeId).ToList();
        Assert.Equal(3, chosen.Count(n => n == "a"));
        Assert.Equal(3, chosen.Count(n => n == "b"));

        // A route one level up is better than all of them: no rotation.
        _rtt.Set("c", 5);
        Check(policy, c);
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Same(c, policy.Choose([a, b, c], null, ref spread)));
    }

    [Fact]
    public void Refresh_is_signalled_when_no_route_meets_soft()
    {
        _rtt.Set("a", 30).Set("b", 40);
        var policy = Policy;
        var a = Admit(Routes.On("a"));
        var b = Admit(Routes.On("b"));
        Assert.True(policy.NeedsRefresh([a, b]));
        Assert.False(policy.NeedsRefresh([]));

        _rtt.Set("b", 20);
        Check(policy, b);
        Assert.False(policy.NeedsRefresh([a, b]));
    }

    [Fact]
    public void An_unmeasured_route_counts_as_meeting_soft_only_within_grace()
    {
        var policy = Policy;
        var entry = Admit(Routes.On("a"));
        Assert.False(policy.NeedsRefresh([entry]));
        _time.Advance(_options.UnmeasuredGrace + TimeSpan.FromTicks(1));
        Assert.True(policy.NeedsRefresh([entry]));
    }

    [Theory]
    [InlineData(0, 2, 1)]
    [InlineData(3, 2, 4)]
    [InlineData(0, 5, 4)]
    public void Inconsistent_levels_are_refused(int min, int start, int max)
    {
        var options = new RouteCacheOptions { MinLevel = min, StartLevel = start, MaxLevel = max };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void Defaults_are_valid_and_check_every_second()
    {
        var options = new RouteCacheOptions();
        options.Validate();
        Assert.Equal(TimeSpan.FromSeconds(1), options.CheckInterval);
        Assert.Throws<ArgumentException>(new RouteCacheOptions { MaxRoutesPerService = 0 }.Validate);
        Assert.Throws<ArgumentException>(new RouteCacheOptions { CheckInterval = TimeSpan.Zero }.Validate);
    }

    private CachedRoute Admit(Route route) => Policy.Admit(route, ++_sequence) ?? throw new InvalidOperationException("not admitted");

    // One check a second, as the cache runs them; keeps idle TTL out of RTT tests by using the route each time.
    private RouteVerdict Check(RoutePolicy policy, CachedRoute entry)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        entry.Touch(_time.GetTimestamp());
        return policy.Check(entry);
    }

    private static CachedRoute? Choose(RoutePolicy policy, params CachedRoute[] entries)
    {
        var spread = 0;
        return policy.Choose(entries, null, ref spread);
    }
}
