namespace PhysarumSM.Gateway.Tunnel;

/// <summary>A node answered a tunnel request with a refusal (see <see cref="TunnelRefusalCode"/>).</summary>
public sealed class TunnelRefusedException(string code, string node, string instanceId, string error)
    : Exception($"node {node} refused a tunnel to instance '{instanceId}' ({code}): {error}")
{
    /// <summary>One of <see cref="TunnelRefusalCode"/> (or whatever a newer node sent).</summary>
    public string Code { get; } = code;

    /// <summary>Peer ID of the refusing node.</summary>
    public string Node { get; } = node;

    /// <summary>The instance that was asked for.</summary>
    public string InstanceId { get; } = instanceId;
}
