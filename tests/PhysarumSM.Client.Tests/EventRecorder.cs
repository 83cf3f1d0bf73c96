using System.Collections.Concurrent;
using PhysarumSM.Contracts.Events;

namespace PhysarumSM.Client.Tests;

/// <summary>
/// Reads a client's event feed in the background and lets a test wait for an event. Why <see cref="PrimeAsync"/>: a feed
/// "from now" takes its start when enumeration begins, which a test cannot observe; repeating an action until the feed
/// reports it proves the feed is live, with no sleep.
/// </summary>
internal sealed class EventRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<MeshEvent> _seen = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private EventRecorder(IAsyncEnumerable<MeshEvent> feed)
    {
        _reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var meshEvent in feed.WithCancellation(_stop.Token))
                {
                    _seen.Enqueue(meshEvent);
                    _arrived.Release();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        });
    }

    public IReadOnlyList<MeshEvent> Seen => _seen.ToArray();

    public static EventRecorder Start(IPhysarumClient client, bool fromStart = false) => new(client.EventsAsync(fromStart, CancellationToken.None));

    /// <summary>Runs <paramref name="action"/> until the feed reports an event matching <paramref name="reported"/>.</summary>
    public async Task PrimeAsync(Func<Task> action, Func<MeshEvent, bool> reported, CancellationToken guard)
    {
        while (true)
        {
            await action();
            using var round = CancellationTokenSource.CreateLinkedTokenSource(guard);
            round.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await WaitAsync(reported, round.Token);
                return;
            }
            catch (TimeoutException) when (!guard.IsCancellationRequested)
            {
                // Not seen yet: the feed may have started after the action; act again.
            }
        }
    }

    /// <summary>Waits for an event matching <paramref name="match"/> (already seen or still to come); a fired guard fails with what was seen.</summary>
    public async Task<MeshEvent> WaitAsync(Func<MeshEvent, bool> match, CancellationToken guard, string? what = null)
    {
        while (true)
        {
            if (_seen.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (_reading.IsCompleted)
            {
                await _reading;   // surfaces why the feed ended
                throw new InvalidOperationException("the event feed ended");
            }

            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), guard);
            }
            catch (OperationCanceledException) when (guard.IsCancellationRequested)
            {
                var seen = string.Join("\n", Seen.Select(e => $"  #{e.Sequence} {e.Kind} {e.Service} {e.InstanceId} {e.Message}"));
                throw new TimeoutException($"the event feed never reported {what ?? "the awaited event"}; it reported:\n{seen}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
        _arrived.Dispose();
    }
}
