namespace PhysarumSM.Contracts.Events;

/// <summary>What happened, as the dashboard's recent-events list and the client's event feed show it.</summary>
public enum MeshEventKind
{
    /// <summary>An instance started and answers (a new container, an adopted one, or one resumed from the warm pool).</summary>
    InstanceStarted,

    /// <summary>An instance was culled after <c>-idle-timeout</c> without requests.</summary>
    InstanceCulled,

    /// <summary>An instance stopped for another reason: asked to, its container died, or its node is leaving.</summary>
    InstanceStopped,

    /// <summary>An instance could not start.</summary>
    InstanceFailed,

    /// <summary>A service was registered or updated.</summary>
    ServiceRegistered,

    /// <summary>A service was deleted.</summary>
    ServiceDeleted,
}

/// <summary>One event of the mesh, numbered by the event log in the order it heard them.</summary>
[GenerateSerializer, Immutable, Alias("physarum.MeshEvent")]
public sealed record MeshEvent
{
    /// <summary>Position in the log: strictly increasing, so a reader asks for what came after the last one it saw.</summary>
    [Id(0)]
    public long Sequence { get; init; }

    /// <summary>When it happened, by the reporting silo's clock.</summary>
    [Id(1)]
    public DateTimeOffset At { get; init; }

    /// <summary>What happened.</summary>
    [Id(2)]
    public MeshEventKind Kind { get; init; }

    /// <summary>The service it concerns.</summary>
    [Id(3)]
    public required string Service { get; init; }

    /// <summary>The instance key, for instance events.</summary>
    [Id(4)]
    public string? InstanceId { get; init; }

    /// <summary>The node, for instance events.</summary>
    [Id(5)]
    public string? NodeId { get; init; }

    /// <summary>One line for people: the outcome, the reason, the time it took.</summary>
    [Id(6)]
    public string Message { get; init; } = "";
}

/// <summary>A page of the event log after a sequence number.</summary>
/// <param name="Events">The events, oldest first.</param>
/// <param name="Last">The newest sequence number the log holds (ask again with it to wait for later events).</param>
/// <param name="Missed">True when events after the asked position were already dropped from the bounded log.</param>
[GenerateSerializer, Immutable, Alias("physarum.MeshEventPage")]
public sealed record MeshEventPage([property: Id(0)] IReadOnlyList<MeshEvent> Events, [property: Id(1)] long Last, [property: Id(2)] bool Missed);
