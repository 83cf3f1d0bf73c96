namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// The route cache's policy, after the original PhysarumSM peer cache: every cached instance sits at a reliability
/// level that each RTT check raises (within the soft requirement) or lowers (between soft and hard).
/// </summary>
public sealed class RouteCacheOptions
{
    /// <summary>How often every cached route is re-checked against its RTT. Default 1 s: the ping monitor's cadence, as the original.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The lowest level a route may hold; one demotion below it removes the route. Default 0.</summary>
    public int MinLevel { get; set; }

    /// <summary>The level a freshly resolved route enters at. Default 1: one slow reading is forgiven, two in a row remove it.</summary>
    public int StartLevel { get; set; } = 1;

    /// <summary>The highest level. Default 4: a long-reliable route survives at most five slow readings in a row.</summary>
    public int MaxLevel { get; set; } = 4;

    /// <summary>
    /// How long a route to a node without an RTT measurement is trusted; after that each check demotes it. Default 5 s:
    /// the ping monitor measures a newly connected peer within a few pings.
    /// </summary>
    public TimeSpan UnmeasuredGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A route not used for this long is dropped. Default 30 s: half the allocator's default idle timeout, so the
    /// cache lets go before the instance it points at may be culled; re-resolving costs one grain call.
    /// </summary>
    public TimeSpan IdleTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many instances of one service are kept. Default 4: a few fallbacks for retries, no unbounded growth.</summary>
    public int MaxRoutesPerService { get; set; } = 4;

    /// <summary>
    /// Whether requests rotate over equally good routes (same level, RTT within <see cref="EqualRttToleranceMs"/>).
    /// Default true: several instances on one node share the load instead of one taking all of it.
    /// </summary>
    public bool SpreadEqualRoutes { get; set; } = true;

    /// <summary>
    /// RTTs this close (ms) count as equal when spreading. Default 0: only equally near instances (the same node)
    /// share; raise it to spread over nodes whose RTTs differ only by jitter.
    /// </summary>
    public double EqualRttToleranceMs { get; set; }

    /// <summary>
    /// Bounds one shared resolve, whoever still waits for it. Default 60 s: twice the gateway's default cold-start
    /// timeout, so each request's own timeout fires first, while a hung resolve holds new requests back no longer.
    /// </summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long "service not registered" is remembered. Default 1 s: a flood of requests for an unknown name costs
    /// the registry one lookup a second, while a service registered just now is reachable a second later at most.
    /// </summary>
    public TimeSpan NotFoundTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The least time between background refreshes of one service whose routes all miss the soft requirement.
    /// Default 5 s: starting a nearer instance takes the mesh seconds; asking every second would repeat the answer.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        Require(CheckInterval > TimeSpan.Zero, $"{nameof(CheckInterval)} must be positive, got {CheckInterval}");
        Require(MinLevel <= StartLevel && StartLevel <= MaxLevel,
            $"levels must satisfy {nameof(MinLevel)} <= {nameof(StartLevel)} <= {nameof(MaxLevel)}, got {MinLevel}, {StartLevel}, {MaxLevel}");
        Require(UnmeasuredGrace >= TimeSpan.Zero, $"{nameof(UnmeasuredGrace)} must not be negative, got {UnmeasuredGrace}");
        Require(IdleTtl > TimeSpan.Zero, $"{nameof(IdleTtl)} must be positive, got {IdleTtl}");
        Require(MaxRoutesPerService is >= 1 and <= 32, $"{nameof(MaxRoutesPerService)} must be between 1 and 32, got {MaxRoutesPerService}");
        Require(EqualRttToleranceMs >= 0 && double.IsFinite(EqualRttToleranceMs),
            $"{nameof(EqualRttToleranceMs)} must be a non-negative number, got {EqualRttToleranceMs}");
        Require(ResolveTimeout > TimeSpan.Zero, $"{nameof(ResolveTimeout)} must be positive, got {ResolveTimeout}");
        Require(NotFoundTtl >= TimeSpan.Zero, $"{nameof(NotFoundTtl)} must not be negative, got {NotFoundTtl}");
        Require(RefreshInterval >= TimeSpan.Zero, $"{nameof(RefreshInterval)} must not be negative, got {RefreshInterval}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"route cache: {message}");
        }
    }
}
