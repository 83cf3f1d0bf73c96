using System.Collections.Concurrent;
using System.Net;
using PhysarumSM.Gateway.Tunnel;

namespace PhysarumSM.Gateway.Tests.Support;

/// <summary>The instances a test node "runs": fixed endpoints, and every activity report counted.</summary>
internal sealed class RecordingInstances : ILocalInstances
{
    private readonly ConcurrentDictionary<string, IPEndPoint> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _activity = new(StringComparer.Ordinal);
    private int _lookups;

    /// <summary>How often the tunnel asked for an endpoint.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    public void Add(string instanceId, IPEndPoint endpoint) => _endpoints[instanceId] = endpoint;

    /// <summary>How often the tunnel reported activity of <paramref name="instanceId"/>.</summary>
    public int Activity(string instanceId) => _activity.GetValueOrDefault(instanceId);

    public bool TryGetEndpoint(string instanceId, out IPEndPoint endpoint)
    {
        Interlocked.Increment(ref _lookups);
        return _endpoints.TryGetValue(instanceId, out endpoint!);
    }

    public void RecordActivity(string instanceId) => _activity.AddOrUpdate(instanceId, 1, (_, n) => n + 1);
}
