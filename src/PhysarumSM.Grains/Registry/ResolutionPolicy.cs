using System.Collections.Immutable;
using System.Globalization;
using PhysarumSM.Contracts;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Registry;

/// <summary>One thing to try when resolving: reuse <see cref="Instance"/>, or allocate a new instance on <see cref="Node"/>.</summary>
/// <param name="Instance">A live instance to reuse, or null for an allocation.</param>
/// <param name="Node">The node the instance runs on or is to be allocated on.</param>
/// <param name="RttMs">RTT from the requesting node to <paramref name="Node"/>; null when unmeasured.</param>
internal sealed record ResolutionStep(InstanceKey? Instance, string Node, double? RttMs);

/// <summary>
/// The steps to try in order; when there are none, <see cref="Refusal"/> says why nothing is within the hard requirement.
/// <see cref="Incomplete"/>: the refusal rests on missing knowledge (no allocator listed, or one without a measured RTT),
/// which a directory that is still filling may yet supply.
/// </summary>
/// <see cref="AwaitingMeasurements"/>: the requesting node has measured no allocator with room yet (it joined moments ago; its
/// first pings are seconds from reaching the directory), so the missing knowledge is on its way.
internal sealed record ResolutionPlan(ImmutableArray<ResolutionStep> Steps, string Refusal, bool Incomplete = false, bool AwaitingMeasurements = false);

/// <summary>
/// The resolution rule of DESIGN.md as a pure function, so it is testable without a cluster and the grain only executes
/// the plan. Why a list of steps rather than one choice: a failed allocation must fall through to the next best option.
/// </summary>
internal static class ResolutionPolicy
{
    public static ResolutionPlan Plan(
        string service,
        string fromNode,
        int softRttMs,
        int hardRttMs,
        ImmutableArray<MeshNode> nodes,
        RttMatrix matrix,
        IEnumerable<InstanceKey> live,
        double cpuReq,
        long memoryReq)
    {
        // Only nodes that can run containers and were heard from recently may host (or keep serving) instances.
        var allocators = nodes
            .Where(n => !n.IsStale && n.Info.Roles.HasFlag(NodeRoles.Allocator))
            .Select(n => n.Info.PeerId)
            .ToImmutableHashSet(StringComparer.Ordinal);

        // With no measurement anywhere (a fresh mesh) an unknown RTT cannot be held against a node; otherwise an
        // unmeasured link may be arbitrarily slow, so it counts as above any requirement.
        var noData = matrix.Cells.IsDefaultOrEmpty || matrix.Cells.All(c => c is null);
        double? Rtt(string node) => string.Equals(node, fromNode, StringComparison.Ordinal) ? 0 : matrix.EwmaRttMs(fromNode, node);
        bool Meets(int limitMs, double? rtt) => limitMs == 0 || (rtt is { } r ? r <= limitMs : noData);

        var instances = live
            .Where(k => allocators.Contains(k.NodeId))
            .Select(k => new ResolutionStep(k, k.NodeId, Rtt(k.NodeId)))
            .Where(s => Meets(hardRttMs, s.RttMs))
            .OrderBy(s => s.RttMs ?? double.PositiveInfinity).ThenBy(s => s.Node, StringComparer.Ordinal).ThenBy(s => s.Instance!.Value.Ordinal)
            .ToList();
        // A new instance goes only where it fits. A node that publishes no capacity (an older node) stays a candidate:
        // refusing it would strand services on a mixed-version mesh, and its own start would still fail if it were full.
        var full = nodes
            .Where(n => n.Info.Capacity is { } c && !c.HasRoomFor(cpuReq, memoryReq))
            .Select(n => n.Info.PeerId)
            .ToImmutableHashSet(StringComparer.Ordinal);
        var hosts = allocators
            .Where(n => !full.Contains(n))
            .Select(n => new ResolutionStep(null, n, Rtt(n)))
            .Where(s => Meets(hardRttMs, s.RttMs))
            .OrderBy(s => s.RttMs ?? double.PositiveInfinity).ThenBy(s => s.Node, StringComparer.Ordinal)
            .ToList();

        // Within soft: reuse before allocating. Only then the hard-only options, again reuse before allocating, because
        // a new instance that also misses the soft requirement would cost a cold start for nothing.
        var steps = instances.Where(s => Meets(softRttMs, s.RttMs))
            .Concat(hosts.Where(s => Meets(softRttMs, s.RttMs)))
            .Concat(instances.Where(s => !Meets(softRttMs, s.RttMs)))
            .Concat(hosts.Where(s => !Meets(softRttMs, s.RttMs)))
            .ToImmutableArray();
        var incomplete = allocators.IsEmpty || allocators.Any(n => Rtt(n) is null);
        // Only a refusal for want of RTTs can be waited out; a full mesh stays a final refusal.
        var open = allocators.Except(full);
        var awaiting = !open.IsEmpty && open.All(n => Rtt(n) is null);
        return new ResolutionPlan(steps, steps.IsEmpty ? Refuse(service, fromNode, hardRttMs, allocators, full, Rtt) : "", incomplete, awaiting);
    }

    private static string Refuse(
        string service, string fromNode, int hardRttMs, ImmutableHashSet<string> allocators, ImmutableHashSet<string> full, Func<string, double?> rtt)
    {
        if (allocators.IsEmpty)
        {
            return $"service '{service}' resolved from node '{fromNode}': no live allocator node is listed in the mesh directory";
        }

        if (allocators.IsSubsetOf(full))
        {
            return $"service '{service}' resolved from node '{fromNode}': no running instance is usable and no allocator node has room for another one (full: {string.Join(", ", full.Order(StringComparer.Ordinal))})";
        }

        var seen = string.Join(", ", allocators.Order(StringComparer.Ordinal).Select(n => rtt(n) is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"{n} at {r:0.#} ms")
            : $"{n} unmeasured"));
        return $"service '{service}' resolved from node '{fromNode}': no instance or allocator node is within the hard RTT requirement of {hardRttMs} ms (allocators: {seen})";
    }
}
