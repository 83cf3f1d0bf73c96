using PhysarumSM.Contracts.Events;

namespace PhysarumSM.Grains.Events;

/// <summary>A ring of the latest <see cref="Capacity"/> events; sequence numbers survive the ring wrapping so readers can tell what they missed.</summary>
internal sealed class MeshEventLogGrain : Grain, IMeshEventLogGrain
{
    /// <summary>How many events are kept: hours of a busy mesh's allocations and culls, a few hundred KB.</summary>
    internal const int Capacity = 2000;

    private readonly Queue<MeshEvent> _events = new();
    private long _last;

    public Task Append(MeshEvent meshEvent)
    {
        _events.Enqueue(meshEvent with { Sequence = ++_last });
        if (_events.Count > Capacity)
        {
            _events.Dequeue();
        }

        return Task.CompletedTask;
    }

    public Task<MeshEventPage> Since(long after, int max = 200, CancellationToken cancellationToken = default)
    {
        max = Math.Clamp(max, 1, Capacity);
        var oldest = _events.Count == 0 ? _last + 1 : _events.Peek().Sequence;
        var page = _events.Where(e => e.Sequence > after).Take(max).ToList();
        return Task.FromResult(new MeshEventPage(page, _last, Missed: after + 1 < oldest && after < _last));
    }
}
