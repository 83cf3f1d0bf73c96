namespace PhysarumSM.Node.Monitoring;

/// <summary>Ping monitor settings; defaults are the original ping-monitor's.</summary>
public sealed class PingMonitorOptions
{
    /// <summary>How often every connected peer is pinged.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deadline of one ping (stream open + negotiation + echo).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Weight of the newest sample in the moving average.</summary>
    public double EwmaFactor { get; set; } = 0.1;

    /// <summary>A peer's series disappear after this long without a successful ping.</summary>
    public TimeSpan SeriesExpiry { get; set; } = TimeSpan.FromMinutes(10);
}
