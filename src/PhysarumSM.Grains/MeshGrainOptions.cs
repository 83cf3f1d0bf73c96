namespace PhysarumSM.Grains;

/// <summary>How long the mesh grains trust a silent node or link; bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class MeshGrainOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Physarum:Mesh";

    /// <summary>
    /// The DI key of the <see cref="TimeProvider"/> the mesh grains judge ages by; keyed so that a test can swap the mesh's
    /// clock without touching the one the Orleans runtime uses.
    /// </summary>
    public const string ClockServiceKey = "PhysarumSM.Grains.MeshClock";

    /// <summary>Silence after which the directory flags a node as stale (listed, but not to be given new work). Default 30 s.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Silence after which the directory drops a node or link altogether. Default 5 minutes; at least <see cref="StaleAfter"/>.</summary>
    public TimeSpan RemoveAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after the directory's activation an incomplete resolve counts as "still rebuilding" rather than final, when
    /// the directory is a re-creation (it knows no node yet, or heard heartbeats of nodes that registered before it): a
    /// re-created directory learns nodes from their heartbeats (every 3 s). Default 10 s.
    /// </summary>
    public TimeSpan RebuildWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the directory purges removed entries from memory (reads already hide them). Default 30 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);
}
