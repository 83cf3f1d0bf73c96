namespace PhysarumSM.Gateway.Tunnel;

/// <summary>Bounds of the tunnels a node relays. Why a mutable class: it is bound from configuration like the other options types.</summary>
public sealed class TunnelOptions
{
    /// <summary>Tunnels relayed (or being opened) at once; more are refused as busy. Each holds two relay buffers and a socket.</summary>
    public int MaxTunnels { get; set; } = 512;

    /// <summary>A tunnel with no bytes either way for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An opener that has not sent its header within this is refused.</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for the TCP connect to the instance's port.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Size of each of the two pooled relay buffers of a tunnel.</summary>
    public int BufferBytes { get; set; } = 64 * 1024;

    /// <summary>Traffic is reported to <see cref="ILocalInstances.RecordActivity"/> at most this often per tunnel.</summary>
    public TimeSpan ActivityInterval { get; set; } = TimeSpan.FromSeconds(1);
}
