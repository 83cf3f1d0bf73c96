using System.Collections.Concurrent;
using System.Globalization;
using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>
/// Gives each instance a synthetic host name (<c>i7.instance.physarum</c>) for the upstream HTTP client. Why: the
/// client pools connections per host, so each instance gets its own pool, and the connect callback maps the name
/// back to the instance. Peer IDs cannot be host names themselves: URIs lower-case hosts and base58 is case-sensitive.
/// </summary>
internal sealed class UpstreamRoutes
{
    private const string Suffix = ".instance.physarum";

    private readonly ConcurrentDictionary<string, string> _hostByInstance = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Route> _routeByHost = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>The destination prefix (<c>http://iN.instance.physarum</c>) for <paramref name="route"/>.</summary>
    public string PrefixFor(Route route)
    {
        var host = _hostByInstance.GetOrAdd(route.InstanceId, static (_, self) =>
            string.Create(CultureInfo.InvariantCulture, $"i{Interlocked.Increment(ref self._next)}{Suffix}"), this);
        _routeByHost[host] = route;   // the newest route of the instance (its requirements may have changed)
        return "http://" + host;
    }

    /// <summary>The route a synthetic host name stands for.</summary>
    public bool TryGet(string host, out Route route) => _routeByHost.TryGetValue(host, out route!);
}
