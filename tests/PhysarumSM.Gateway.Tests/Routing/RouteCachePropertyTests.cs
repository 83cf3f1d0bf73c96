using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Tests.Routing;

/// <summary>One step of a random history: an RTT reading, time passing, a round of checks, a request or a failure.</summary>
public sealed record RouteStep(int Kind, int Node, int? RttMs, int Seconds)
{
    public override string ToString() => Kind switch
    {
        0 => $"rtt {RouteHistory.Nodes[Node]}={RttMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}",
        1 => $"wait {Seconds}s",
        2 => "check",
        3 => "request",
        4 => "retry",
        _ => "fail last",
    };
}

/// <summary>Random histories of RTT readings, clock steps, checks, requests and failures.</summary>
public static class RouteHistory
{
    public static readonly string[] Nodes = ["a", "b", "c", TestRtt.Self];

    public static Arbitrary<RouteStep[]> Steps()
    {
        var step =
            from kind in Gen.Frequency((4, Gen.Constant(0)), (2, Gen.Constant(1)), (3, Gen.Constant(2)), (4, Gen.Constant(3)), (1, Gen.Constant(4)), (1, Gen.Constant(5)))
            from node in Gen.Choose(0, Nodes.Length - 2)
            from rtt in Gen.Frequency((1, Gen.Constant<int?>(null)), (6, Gen.Choose(0, 100).Select(v => (int?)v)))
            from seconds in Gen.Frequency((4, Gen.Choose(0, 2)), (1, Gen.Choose(3, 40)))
            select new RouteStep(kind, node, rtt, seconds);
        return Gen.ArrayOf(step).ToArbitrary();
    }
}

public sealed class RouteCachePropertyTests
{
    private const int Soft = 20;
    private const int Hard = 50;

    // The resolver models the mesh: it never picks a node it measures above hard (this host's node, RTT 0, is one
    // candidate only now and then, so "nothing within hard" happens too).
    [Property(MaxTest = 300, Arbitrary = [typeof(RouteHistory)])]
    public bool The_cache_never_answers_a_route_above_the_hard_requirement(RouteStep[] steps)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var rtt = new TestRtt();
        var turn = 0;
        var resolver = new AnsweringResolver(service =>
        {
            turn++;
            var candidates = RouteHistory.Nodes.Where(n => (n != TestRtt.Self || turn % 4 == 0) && rtt.RttMs(n) is null or <= Hard).ToList();
            return candidates.Count == 0
                ? throw new NoRouteException("nothing within 50 ms")
                : Routes.On(candidates[turn % candidates.Count], Soft, Hard, service: service);
        });
        using var cache = new RouteCache(resolver, rtt, Options.Create(new RouteCacheOptions()), NullLogger<RouteCache>.Instance, time);
        Route? last = null;
        foreach (var step in steps)
        {
            switch (step.Kind)
            {
                case 0:
                    rtt.Set(RouteHistory.Nodes[step.Node], step.RttMs);
                    break;
                case 1:
                    time.Advance(TimeSpan.FromSeconds(step.Seconds));
                    break;
                case 2:
                    cache.CheckNow();
                    if (cache.Snapshot().Routes.Any(r => r.RttMs > Hard))
                    {
                        return false;
                    }

                    break;
                case 3 or 4:
                    var answer = Take(cache, step.Kind == 4 ? last?.InstanceId : null);
                    if (answer is not null && rtt.RttMs(answer.NodeId) > Hard)
                    {
                        return false;
                    }

                    last = answer ?? last;
                    break;
                default:
                    if (last is not null)
                    {
                        cache.ReportFailure(last);
                    }

                    break;
            }
        }

        return true;
    }

    // The resolver answers at once, so every request completes synchronously: no blocking wait is involved.
    private static Route? Take(RouteCache cache, string? excludeInstance)
    {
        var pending = cache.GetAsync(Routes.Service, CancellationToken.None, excludeInstance);
        if (!pending.IsCompleted)
        {
            throw new InvalidOperationException("a synchronous resolver should answer synchronously");
        }

        return pending.IsCompletedSuccessfully ? pending.Result
            : pending.AsTask().Exception?.InnerException is NoRouteException ? null
            : throw pending.AsTask().Exception!;
    }
}
