using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhysarumSM.Gateway.Resolve;

/// <summary>
/// <c>/physarum/resolve/1.0.0</c>: a standalone proxy outside the cluster asks a node where a service's requests should
/// go. One length-prefixed JSON request, one JSON response, then both sides close (like the registry protocol).
/// </summary>
public static class ResolveWire
{
    /// <summary>The libp2p protocol id.</summary>
    public const string ProtocolId = "/physarum/resolve/1.0.0";

    /// <summary>Largest request or response accepted (a response lists a node's addresses).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>Serializer settings both ends use.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>What the proxy asks: the route for one service.</summary>
public sealed record ResolveRequest
{
    /// <summary>The service name.</summary>
    public required string Service { get; init; }
}

/// <summary>The node's answer: an instance and how to dial its node, or a classified failure.</summary>
public sealed record ResolveResponse
{
    /// <summary>True when an instance was found (or started).</summary>
    public bool Ok { get; init; }

    /// <summary>The instance key (when ok).</summary>
    public string? Instance { get; init; }

    /// <summary>Peer ID of the node that runs the instance (when ok).</summary>
    public string? Node { get; init; }

    /// <summary>That node's listen multiaddrs, so the proxy can dial it (when ok).</summary>
    public IReadOnlyList<string>? Addresses { get; init; }

    /// <summary>The service's soft RTT requirement in ms (0 = none).</summary>
    public int? SoftRttMs { get; init; }

    /// <summary>The service's hard RTT requirement in ms (0 = none).</summary>
    public int? HardRttMs { get; init; }

    /// <summary>True when this resolve started the instance (a cold start); absent otherwise. Feeds the proxy's physarum_cold_starts_total.</summary>
    public bool? ColdStart { get; init; }

    /// <summary>One of <see cref="ResolveCode"/>; null when <see cref="Ok"/>.</summary>
    public string? Code { get; init; }

    /// <summary>What went wrong, for people.</summary>
    public string? Error { get; init; }
}

/// <summary>Why a resolve failed.</summary>
public static class ResolveCode
{
    /// <summary>The service is not registered.</summary>
    public const string NotFound = "not-found";

    /// <summary>No instance meets the service's requirements and none could start.</summary>
    public const string NoRoute = "no-route";

    /// <summary>The request was malformed.</summary>
    public const string Invalid = "invalid";

    /// <summary>The node could not resolve right now (cluster trouble, deadline).</summary>
    public const string Unavailable = "unavailable";
}
