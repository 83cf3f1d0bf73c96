using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>
/// <c>/physarum/tunnel/1.0.0</c>: the opener sends one length-prefixed JSON header naming an instance, the node answers
/// one length-prefixed JSON header, and when that says ok raw bytes flow both ways until each side half-closes.
/// Why JSON headers: they are sent once per tunnel, so being readable in a packet dump costs nothing.
/// </summary>
public static class TunnelWire
{
    /// <summary>The libp2p protocol id.</summary>
    public const string ProtocolId = "/physarum/tunnel/1.0.0";

    /// <summary>Largest opening header a node reads; an instance key is far shorter.</summary>
    public const int MaxRequestBytes = 1024;

    /// <summary>Largest answer header an opener reads (a refusal carries a message).</summary>
    public const int MaxAnswerBytes = 4096;

    /// <summary>Serializer settings both ends use.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses an opening header; false with a reason for anything that is not one.</summary>
    public static bool TryParseRequest(ReadOnlySpan<byte> bytes, out TunnelRequest request, out string error)
    {
        request = null!;
        try
        {
            var parsed = JsonSerializer.Deserialize<TunnelRequest>(bytes, Json);
            if (parsed is null || string.IsNullOrWhiteSpace(parsed.Instance))
            {
                error = "the tunnel header names no instance (expected {\"instance\":\"<instance key>\"})";
                return false;
            }

            request = parsed;
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // Untrusted bytes: every way System.Text.Json rejects input counts as "not a header".
            error = $"malformed tunnel header: {ex.Message}";
            return false;
        }
    }
}

/// <summary>The opening header: which instance's port the tunnel reaches.</summary>
public sealed record TunnelRequest
{
    /// <summary>The instance key, <c>{service}/{nodeId}/{ordinal}</c>.</summary>
    public required string Instance { get; init; }
}

/// <summary>The node's answer; raw bytes follow only when <see cref="Ok"/>.</summary>
public sealed record TunnelAnswer
{
    /// <summary>True when the node connected to the instance and relays from now on.</summary>
    public bool Ok { get; init; }

    /// <summary>One of <see cref="TunnelRefusalCode"/>; null when <see cref="Ok"/>.</summary>
    public string? Code { get; init; }

    /// <summary>Why the tunnel was refused, for people.</summary>
    public string? Error { get; init; }

    /// <summary>The answer that opens the tunnel.</summary>
    public static TunnelAnswer Accepted { get; } = new() { Ok = true };

    /// <summary>A refusal with its code and message.</summary>
    public static TunnelAnswer Refused(string code, string error) => new() { Ok = false, Code = code, Error = error };
}

/// <summary>Why a node refused a tunnel.</summary>
public static class TunnelRefusalCode
{
    /// <summary>The node does not run the instance (it may have been culled): re-resolve.</summary>
    public const string NotFound = "not-found";

    /// <summary>The node relays its maximum number of tunnels: try later or elsewhere.</summary>
    public const string Busy = "busy";

    /// <summary>The instance runs there but its port did not accept a connection.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The header was malformed, oversized or late.</summary>
    public const string Invalid = "invalid";
}
