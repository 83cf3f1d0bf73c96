namespace PhysarumSM.Gateway.Routing;

/// <summary>The route cache at one moment, for diagnostics and metrics.</summary>
/// <param name="Routes">Every cached route, by service then rank (the one requests take first).</param>
/// <param name="Hits">Requests answered from the cache since start, without a resolve.</param>
/// <param name="Resolves">Resolves started since start (request-driven and background refreshes).</param>
/// <param name="Resolving">Services with a resolve in flight now.</param>
public sealed record RouteCacheSnapshot(IReadOnlyList<CachedRouteInfo> Routes, long Hits, long Resolves, IReadOnlyList<string> Resolving);

/// <summary>One cached route.</summary>
/// <param name="Route">Where requests go.</param>
/// <param name="Level">Its reliability level.</param>
/// <param name="RttMs">The RTT (ms) read at the last check; null when the node is not measured.</param>
/// <param name="IdleFor">Time since a request last used it.</param>
public sealed record CachedRouteInfo(Route Route, int Level, double? RttMs, TimeSpan IdleFor);
