using System.Collections.Immutable;
using PhysarumSM.Contracts;

namespace PhysarumSM.Grains.Tests;

/// <summary>Fresh peer IDs and records per test, so tests sharing a cluster never see each other's nodes.</summary>
internal static class TestPeers
{
    public static string NewPeerId() => "12D3KooWTest" + Guid.NewGuid().ToString("N");

    public static NodeInfo NodeRecord(string peerId, NodeRoles roles = NodeRoles.All) => new()
    {
        PeerId = peerId,
        HostName = "host-" + peerId[^6..],
        Roles = roles,
        Addresses = [$"/ip4/127.0.0.1/tcp/4001/p2p/{peerId}"],
        StartedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    public static LinkSample Link(string from, string to, double ewmaMs, DateTimeOffset seenAt, long samples = 10) => new()
    {
        From = from,
        To = to,
        LastRttMs = ewmaMs + 1,
        EwmaRttMs = ewmaMs,
        SampleCount = samples,
        SeenAt = seenAt,
    };

    public static ImmutableArray<LinkSample> Batch(params LinkSample[] samples) => [.. samples];
}
