using System.Collections.Concurrent;
using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Tests.Routing;

/// <summary>An RTT source the test sets: nodes are unmeasured until given a value; this host's node is always 0.</summary>
internal sealed class TestRtt : IRttSource
{
    public const string Self = "self";

    private readonly ConcurrentDictionary<string, double> _rtts = new(StringComparer.Ordinal);

    public int Reads;

    public double? RttMs(string nodeId)
    {
        Interlocked.Increment(ref Reads);
        return nodeId == Self ? 0 : _rtts.TryGetValue(nodeId, out var rtt) ? rtt : null;
    }

    public TestRtt Set(string nodeId, double? rttMs)
    {
        if (rttMs is { } rtt)
        {
            _rtts[nodeId] = rtt;
        }
        else
        {
            _rtts.TryRemove(nodeId, out _);
        }

        return this;
    }
}
