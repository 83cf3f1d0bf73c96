namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// The original PhysarumSM peer cache as a pure policy over <see cref="CachedRoute"/> entries: admission, the
/// per-second RTT check (promote within soft, demote between soft and hard, remove above hard or below the minimum
/// level, demote when unmeasured past a grace period, drop when idle), the choice of a route and the refresh signal.
/// Deterministic given the clock and the RTT source; callers serialise <see cref="Check"/> per entry.
/// </summary>
internal sealed class RoutePolicy
{
    private readonly RouteCacheOptions _options;
    private readonly IRttSource _rtt;
    private readonly TimeProvider _time;

    /// <summary>Creates the policy; <paramref name="options"/> must be valid.</summary>
    public RoutePolicy(RouteCacheOptions options, IRttSource rtt, TimeProvider time)
    {
        options.Validate();
        _options = options;
        _rtt = rtt;
        _time = time;
    }

    /// <summary>The clock's current timestamp.</summary>
    public long Now => _time.GetTimestamp();

    /// <summary>A resolved route as a new entry at the start level, or null when this host measures it above hard.</summary>
    public CachedRoute? Admit(Route route, long sequence)
    {
        var rtt = _rtt.RttMs(route.NodeId);
        return rtt is { } measured && IsAboveHard(route, measured)
            ? null
            : new CachedRoute(route, sequence, _options.StartLevel, rtt, Now);
    }

    /// <summary>One periodic check of <paramref name="entry"/>: reads its RTT and moves its level.</summary>
    public RouteVerdict Check(CachedRoute entry)
    {
        var now = Now;
        if (_time.GetElapsedTime(entry.LastUsed, now) > _options.IdleTtl)
        {
            return RouteVerdict.RemovedIdle;
        }

        var route = entry.Route;
        var rtt = _rtt.RttMs(route.NodeId);
        entry.RecordRtt(rtt, now);
        if (rtt is not { } measured)
        {
            // A node we cannot measure is suspect once the ping monitor had time to measure it.
            return IsWithinGrace(entry, now) ? RouteVerdict.Kept : Demote(entry);
        }

        if (IsAboveHard(route, measured))
        {
            return RouteVerdict.RemovedAboveHard;
        }

        return MeetsSoft(route, measured) ? Promote(entry) : Demote(entry);
    }

    /// <summary>
    /// The route to use: highest level, then lowest live RTT (unmeasured last), then admission order; never one above
    /// hard by the live RTT, never <paramref name="excludeInstance"/>. Rotates over equally good routes when spreading.
    /// </summary>
    /// <param name="entries">The service's entries.</param>
    /// <param name="excludeInstance">An instance that just failed, or null.</param>
    /// <param name="spreadCounter">The service's rotation counter; incremented only when there is a choice to rotate.</param>
    public CachedRoute? Choose(ReadOnlySpan<CachedRoute> entries, string? excludeInstance, ref int spreadCounter)
    {
        // Live readings, once per entry: the hard guard holds between checks too. NaN = unmeasured, -1 = not usable.
        Span<double> rtts = stackalloc double[entries.Length];
        var best = -1;
        for (var i = 0; i < entries.Length; i++)
        {
            var route = entries[i].Route;
            var rtt = _rtt.RttMs(route.NodeId) ?? double.NaN;
            var usable = !string.Equals(route.InstanceId, excludeInstance, StringComparison.Ordinal) && !IsAboveHard(route, rtt);
            rtts[i] = usable ? rtt : -1;
            if (usable && (best < 0 || IsBetter(entries[i], rtt, entries[best], rtts[best])))
            {
                best = i;
            }
        }

        if (best < 0 || !_options.SpreadEqualRoutes)
        {
            return best < 0 ? null : entries[best];
        }

        var equals = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            equals += IsEquallyGood(entries[i], rtts[i], entries[best], rtts[best]) ? 1 : 0;
        }

        if (equals <= 1)
        {
            return entries[best];
        }

        var ticket = (int)((uint)Interlocked.Increment(ref spreadCounter) % (uint)equals);
        for (var i = 0; i < entries.Length; i++)
        {
            if (IsEquallyGood(entries[i], rtts[i], entries[best], rtts[best]) && ticket-- == 0)
            {
                return entries[i];
            }
        }

        return entries[best];
    }

    /// <summary>
    /// Whether a fresh resolve is worth doing: the service has routes but none meets the soft requirement by its last
    /// reading (an unmeasured one within grace counts as meeting it: the mesh just chose it). The mesh may then start
    /// a nearer instance.
    /// </summary>
    public bool NeedsRefresh(ReadOnlySpan<CachedRoute> entries)
    {
        if (entries.IsEmpty)
        {
            return false;
        }

        var now = Now;
        foreach (var entry in entries)
        {
            var fine = entry.RttMs is { } rtt ? MeetsSoft(entry.Route, rtt) : IsWithinGrace(entry, now);
            if (fine)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="a"/> ranks before <paramref name="b"/> for choosing (and after it for eviction).</summary>
    public static bool IsBetter(CachedRoute a, double rttA, CachedRoute b, double rttB)
    {
        if (a.Level != b.Level)
        {
            return a.Level > b.Level;
        }

        var ra = double.IsNaN(rttA) ? double.PositiveInfinity : rttA;
        var rb = double.IsNaN(rttB) ? double.PositiveInfinity : rttB;
        return ra != rb ? ra < rb : a.Sequence < b.Sequence;
    }

    /// <summary>Whether <paramref name="rttMs"/> breaks the route's hard requirement (0 = none; NaN = unknown, not above).</summary>
    public static bool IsAboveHard(Route route, double rttMs) => route.HardRttMs > 0 && rttMs > route.HardRttMs;

    /// <summary>Whether <paramref name="rttMs"/> meets the route's soft requirement (0 = none).</summary>
    public static bool MeetsSoft(Route route, double rttMs) => route.SoftRttMs <= 0 || rttMs <= route.SoftRttMs;

    private bool IsEquallyGood(CachedRoute entry, double rtt, CachedRoute best, double bestRtt)
    {
        if (rtt < 0 || entry.Level != best.Level)
        {
            return false;
        }

        return double.IsNaN(rtt) || double.IsNaN(bestRtt)
            ? double.IsNaN(rtt) && double.IsNaN(bestRtt)
            : Math.Abs(rtt - bestRtt) <= _options.EqualRttToleranceMs;
    }

    private bool IsWithinGrace(CachedRoute entry, long now) =>
        entry.UnmeasuredSince is not { } since || _time.GetElapsedTime(since, now) <= _options.UnmeasuredGrace;

    private RouteVerdict Promote(CachedRoute entry)
    {
        if (entry.Level >= _options.MaxLevel)
        {
            return RouteVerdict.Kept;
        }

        entry.Level++;
        return RouteVerdict.Promoted;
    }

    private RouteVerdict Demote(CachedRoute entry)
    {
        if (entry.Level <= _options.MinLevel)
        {
            return RouteVerdict.RemovedUnreliable;
        }

        entry.Level--;
        return RouteVerdict.Demoted;
    }
}
