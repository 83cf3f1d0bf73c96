namespace PhysarumSM.Node.Overlay;

/// <summary>
/// The tasks an overlay service started. Why: stopping must end every task the service started, and a
/// task started by an event racing with stop must either be refused or be waited for.
/// </summary>
internal sealed class OverlayTasks
{
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];
    private bool _closed;

    /// <summary>Tasks still running.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Starts <paramref name="work"/> unless closed; its exceptions must be handled inside it.</summary>
    public bool TryRun(Func<Task> work)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            var task = Task.Run(work);
            _running.Add(task);
            _ = task.ContinueWith(
                t =>
                {
                    _ = t.Exception; // observed; the work logs its own failures
                    lock (_gate)
                    {
                        _running.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return true;
        }
    }

    /// <summary>Refuses new work, then waits until every started task has ended.</summary>
    public async Task CloseAndWaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] snapshot;
            lock (_gate)
            {
                _closed = true;
                snapshot = [.. _running];
            }

            if (snapshot.Length == 0)
            {
                return;
            }

            await Task.WhenAll(snapshot).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
