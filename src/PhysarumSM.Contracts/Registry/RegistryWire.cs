using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// The overlay registry protocol (<c>/physarum/registry/1.0.0</c>) the CLI speaks to any node, like the
/// original hl-cli: one length-prefixed JSON request, one JSON response, then both sides close. Why JSON:
/// the messages are tiny and human-debuggable, and the records already describe the shape.
/// </summary>
public static class RegistryWire
{
    /// <summary>The libp2p protocol id.</summary>
    public const string ProtocolId = "/physarum/registry/1.0.0";

    /// <summary>Largest request or response accepted (a list of many services fits easily).</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Serializer settings both ends use.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>What the CLI asks: <see cref="Op"/> is add, get, list, delete or status.</summary>
public sealed record RegistryRequest
{
    /// <summary>add, get, list, delete or status (the mesh's nodes and instances, <see cref="MeshStatus"/>).</summary>
    public required string Op { get; init; }

    /// <summary>The service name (get, delete).</summary>
    public string? Name { get; init; }

    /// <summary>The service to register (add).</summary>
    public ServiceInfo? Service { get; init; }

    /// <summary>Optimistic concurrency for add: the version last read (0 = must not exist yet).</summary>
    public long? ExpectedVersion { get; init; }
}

/// <summary>The node's answer; <see cref="Code"/> classifies failures so the CLI can pick an exit code.</summary>
public sealed record RegistryResponse
{
    /// <summary>True when the operation succeeded.</summary>
    public bool Ok { get; init; }

    /// <summary>not_found, conflict, invalid, unavailable or error; null when <see cref="Ok"/>.</summary>
    public string? Code { get; init; }

    /// <summary>What went wrong and what to do, for people.</summary>
    public string? Error { get; init; }

    /// <summary>The service read or written (add, get).</summary>
    public ServiceRecord? Record { get; init; }

    /// <summary>All services (list).</summary>
    public IReadOnlyList<ServiceRecord>? Records { get; init; }

    /// <summary>The mesh as the answering node sees it (status).</summary>
    public MeshStatus? Status { get; init; }
}
