using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PhysarumSM.Contracts.Events;

namespace PhysarumSM.Client.Events;

/// <summary>
/// Turns the mesh event log's pages into a stream: polls <see cref="IMeshEventLogGrain.Since"/> after the last sequence
/// seen, yields each event once and in order, retries failed reads with capped exponential backoff (the log's silo may
/// be restarting, the client reconnecting), and follows the log when it restarts with a fresh numbering (noticed because
/// the log no longer holds the last event seen).
/// </summary>
/// <param name="read">Reads one page: events after a sequence, at most a count.</param>
/// <param name="pollInterval">The pause between reads when the log has nothing more; also the first retry delay.</param>
/// <param name="clock">Time source for the pauses.</param>
/// <param name="logger">Where retries, restarts and dropped events are reported.</param>
internal sealed partial class MeshEventFeed(
    Func<long, int, CancellationToken, Task<MeshEventPage>> read, TimeSpan pollInterval, TimeProvider clock, ILogger logger)
{
    /// <summary>Events asked for per read; a full page is followed by another read at once.</summary>
    internal const int PageSize = 200;

    /// <summary>The longest pause between retries of a failing read.</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The events, from the log's current end or from the oldest it holds; ends only by cancellation (throwing <see cref="OperationCanceledException"/>).</summary>
    public async IAsyncEnumerable<MeshEvent> ReadAsync(bool fromStart, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = fromStart ? 0 : (await ReadPageAsync(0, 1, cancellationToken).ConfigureAwait(false)).Last;
        MeshEvent? last = null;
        while (true)
        {
            // Re-read the last event seen: if the log no longer holds that exact event, it restarted (its silo died or it
            // was deactivated) and numbers from 1 again, so everything it holds is new to us.
            var page = await ReadPageAsync(last is null ? cursor : cursor - 1, PageSize, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<MeshEvent>? events = page.Events;
            if (last is not null && page.Last >= cursor)
            {
                if (events.Count > 0 && events[0].Sequence == cursor)
                {
                    events = events[0] == last ? events.Skip(1).ToList() : null;
                }
                else if (!page.Missed)
                {
                    events = null;
                }
            }

            if (page.Last < cursor || events is null)
            {
                LogRestarted(logger, cursor, page.Last);
                cursor = 0;
                last = null;
                continue;
            }

            if (page.Missed && cursor > 0)   // from the start, older events being gone is expected
            {
                LogMissed(logger, cursor, events.Count > 0 ? events[0].Sequence : page.Last);
            }

            foreach (var meshEvent in events)
            {
                if (meshEvent.Sequence > cursor)
                {
                    cursor = meshEvent.Sequence;
                    last = meshEvent;
                    yield return meshEvent;
                }
            }

            if (page.Events.Count < PageSize)
            {
                await Task.Delay(pollInterval, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<MeshEventPage> ReadPageAsync(long after, int max, CancellationToken cancellationToken)
    {
        var delay = pollInterval;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read(after, max, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                LogReadFailed(logger, ex, attempt, delay);
                await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    // Everything the mesh or the connection can throw is worth another try; a disposed client or a bug is not.
    private static bool IsTransient(Exception ex) =>
        ex is not (ObjectDisposedException or ArgumentException or InvalidCastException or NotSupportedException or NotImplementedException or OutOfMemoryException);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the mesh event log failed (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "The mesh event log restarted (it was at {Cursor}, now at {Last}); reading it from its start")]
    private static partial void LogRestarted(ILogger logger, long cursor, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mesh event log dropped events after {Cursor} before they were read; continuing at {Next}")]
    private static partial void LogMissed(ILogger logger, long cursor, long next);
}
