using Orleans.Concurrency;

namespace PhysarumSM.Contracts.Events;

/// <summary>
/// The mesh's recent events (singleton key <see cref="Key"/>): instance grains and service grains append, the dashboard
/// and clients read pages after the last sequence they saw. Bounded and in memory: it is a window for operators and
/// integrators, not an audit log; if its silo dies, the window restarts empty.
/// </summary>
[Alias("physarum.IMeshEventLogGrain")]
public interface IMeshEventLogGrain : IGrainWithStringKey
{
    /// <summary>The key of the one event log.</summary>
    public const string Key = "mesh";

    /// <summary>Adds an event; its <see cref="MeshEvent.Sequence"/> is assigned here. One-way: no reporter waits on the log.</summary>
    [Alias("Append"), OneWay]
    Task Append(MeshEvent meshEvent);

    /// <summary>Up to <paramref name="max"/> events with a sequence above <paramref name="after"/>, oldest first.</summary>
    [Alias("Since"), ReadOnly]
    Task<MeshEventPage> Since(long after, int max = 200, CancellationToken cancellationToken = default);
}
