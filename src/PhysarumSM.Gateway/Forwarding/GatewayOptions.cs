namespace PhysarumSM.Gateway.Forwarding;

/// <summary>How the gateway forwards <c>/{service}/{**path}</c>; the node maps its flags here.</summary>
public sealed class GatewayOptions
{
    /// <summary>How long a request may wait for its service's instance to be resolved and ready (a cold start) before a 504. Default 30 s.</summary>
    public TimeSpan ColdStartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an upstream may stay silent while a request or response streams before it is aborted. Default 100 s,
    /// YARP's: long enough for slow handlers, short enough that a hung container frees its connection.
    /// </summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How long a pooled upstream connection (a socket or a tunnel stream) may sit unused. Default 30 s: below the
    /// tunnel's idle limit, so the gateway closes first and never reuses a tunnel the far side already dropped.
    /// </summary>
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening an upstream connection (TCP connect or tunnel handshake) may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
