namespace PhysarumSM.Gateway.Routing;

/// <summary>What one policy check did to a cached route.</summary>
internal enum RouteVerdict
{
    /// <summary>Level unchanged: already at the top, or unmeasured within the grace period.</summary>
    Kept,

    /// <summary>Within the soft requirement: one level up.</summary>
    Promoted,

    /// <summary>Between soft and hard, or unmeasured past the grace period: one level down.</summary>
    Demoted,

    /// <summary>Above the hard requirement: never routed to again.</summary>
    RemovedAboveHard,

    /// <summary>Demoted below the minimum level.</summary>
    RemovedUnreliable,

    /// <summary>Not used for longer than the idle TTL.</summary>
    RemovedIdle,
}

/// <summary>Helpers on <see cref="RouteVerdict"/>.</summary>
internal static class RouteVerdictExtensions
{
    /// <summary>Whether the verdict takes the route out of the cache.</summary>
    public static bool IsRemoval(this RouteVerdict verdict) =>
        verdict is RouteVerdict.RemovedAboveHard or RouteVerdict.RemovedUnreliable or RouteVerdict.RemovedIdle;
}
