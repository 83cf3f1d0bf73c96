using System.Collections.Concurrent;

namespace PhysarumSM.Libp2p.Host;

/// <summary>
/// Every task the host starts, so shutdown can wait for all of them. Why: a clean shutdown ends every
/// task it started, and tests check that nothing is left running.
/// </summary>
internal sealed class BackgroundTasks
{
    private readonly ConcurrentDictionary<int, Task> _running = new();
    private int _next;

    public int Count => _running.Count;

    /// <summary>Starts <paramref name="work"/> on the thread pool; its exceptions must be handled inside it.</summary>
    public void Run(Func<Task> work)
    {
        var id = Interlocked.Increment(ref _next);
        var task = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            finally
            {
                _running.TryRemove(id, out _);
            }
        });
        _running.TryAdd(id, task);
        if (task.IsCompleted)
        {
            _running.TryRemove(id, out _);
        }
    }

    /// <summary>Waits until every started task has finished (including ones started meanwhile).</summary>
    public async Task WhenAllAsync()
    {
        while (!_running.IsEmpty)
        {
            await Task.WhenAll(_running.Values.ToArray()).ConfigureAwait(false);
        }
    }
}
