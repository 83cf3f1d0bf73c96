using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Settings of <see cref="BootstrapConnector"/>. Why mutable: bound from flags/configuration like every
/// .NET options type; defaults are the original's (5 attempts, 2^n s apart; redial capped at 512 s).
/// </summary>
public sealed class BootstrapOptions
{
    /// <summary>Bootstrap peers, each a full multiaddr ending in /p2p/&lt;peer id&gt;. Empty = this node is a bootstrap.</summary>
    public List<Multiaddr> Bootstraps { get; set; } = [];

    /// <summary>Connection attempts per bootstrap at startup.</summary>
    public int StartupAttempts { get; set; } = 5;

    /// <summary>Wait after the first failed startup attempt; doubled after each further one (1, 2, 4, 8 s).</summary>
    public TimeSpan StartupRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait before redialling a lost bootstrap; doubled after each failed redial.</summary>
    public TimeSpan RedialInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the redial wait.</summary>
    public TimeSpan RedialMaxDelay { get; set; } = TimeSpan.FromSeconds(512);
}
