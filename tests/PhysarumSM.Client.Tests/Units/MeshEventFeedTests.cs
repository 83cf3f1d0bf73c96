using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Client.Events;
using PhysarumSM.Contracts.Events;

namespace PhysarumSM.Client.Tests.Units;

/// <summary>The feed over a scripted event log: order, no repeats, retries after failures, a restarted log, the start position.</summary>
public sealed class MeshEventFeedTests
{
    /// <summary>An in-memory log that can fail the next reads and restart with a fresh numbering.</summary>
    private sealed class ScriptedLog
    {
        private readonly List<MeshEvent> _events = [];
        private readonly object _gate = new();

        public int FailuresToThrow { get; set; }

        public int Reads { get; private set; }

        public void Add(string service, MeshEventKind kind = MeshEventKind.ServiceRegistered)
        {
            lock (_gate)
            {
                _events.Add(new MeshEvent { Sequence = _events.Count + 1, Service = service, Kind = kind });
            }
        }

        public void Restart()
        {
            lock (_gate)
            {
                _events.Clear();
            }
        }

        public Task<MeshEventPage> Since(long after, int max, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Reads++;
                if (FailuresToThrow > 0)
                {
                    FailuresToThrow--;
                    throw new TimeoutException("silo unavailable (scripted)");
                }

                var page = _events.Where(e => e.Sequence > after).Take(max).ToList();
                return Task.FromResult(new MeshEventPage(page, _events.Count, Missed: false));
            }
        }
    }

    private static IAsyncEnumerator<MeshEvent> Open(ScriptedLog log, bool fromStart, CancellationToken cancellationToken) =>
        new MeshEventFeed(log.Since, TimeSpan.FromMilliseconds(5), TimeProvider.System, NullLogger.Instance)
            .ReadAsync(fromStart, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);

    private static async Task<MeshEvent> NextAsync(IAsyncEnumerator<MeshEvent> feed)
    {
        Assert.True(await feed.MoveNextAsync());
        return feed.Current;
    }

    [Fact]
    public async Task From_start_yields_what_the_log_holds_in_order_then_new_events()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new ScriptedLog();
        log.Add("a");
        log.Add("b");
        await using var feed = Open(log, fromStart: true, guard.Token);
        Assert.Equal("a", (await NextAsync(feed)).Service);
        Assert.Equal("b", (await NextAsync(feed)).Service);
        var next = NextAsync(feed);
        log.Add("c");
        Assert.Equal("c", (await next).Service);
    }

    [Fact]
    public async Task From_now_skips_what_the_log_held_when_enumeration_began()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new ScriptedLog();
        log.Add("old");
        await using var feed = Open(log, fromStart: false, guard.Token);
        var next = NextAsync(feed);
        await Eventually(() => log.Reads >= 2, guard.Token);   // the start position is taken
        log.Add("new");
        Assert.Equal("new", (await next).Service);
    }

    [Fact]
    public async Task Failed_reads_are_retried_and_nothing_is_lost_or_repeated()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new ScriptedLog();
        log.Add("a");
        await using var feed = Open(log, fromStart: true, guard.Token);
        Assert.Equal("a", (await NextAsync(feed)).Service);
        log.FailuresToThrow = 3;
        log.Add("b");
        log.Add("c");
        Assert.Equal("b", (await NextAsync(feed)).Service);
        Assert.Equal("c", (await NextAsync(feed)).Service);
        Assert.Equal(0, log.FailuresToThrow);
    }

    [Fact]
    public async Task A_restarted_log_is_read_from_its_new_start()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new ScriptedLog();
        log.Add("a");
        log.Add("b");
        await using var feed = Open(log, fromStart: true, guard.Token);
        Assert.Equal("a", (await NextAsync(feed)).Service);
        Assert.Equal("b", (await NextAsync(feed)).Service);
        var next = NextAsync(feed);
        log.Restart();
        log.Add("after-restart");   // sequence 1 again, below the feed's position
        var meshEvent = await next;
        Assert.Equal("after-restart", meshEvent.Service);
        Assert.Equal(1, meshEvent.Sequence);
    }

    [Fact]
    public async Task A_restarted_log_that_already_caught_up_with_the_old_numbering_is_noticed()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new ScriptedLog();
        log.Add("a");
        log.Add("b");
        await using var feed = Open(log, fromStart: true, guard.Token);
        Assert.Equal("a", (await NextAsync(feed)).Service);
        Assert.Equal("b", (await NextAsync(feed)).Service);
        var next = NextAsync(feed);
        log.Restart();
        log.Add("x");   // sequences 1 and 2 again: the same numbers the feed has seen, different events
        log.Add("y");
        Assert.Equal("x", (await next).Service);
        Assert.Equal("y", (await NextAsync(feed)).Service);
    }

    [Fact]
    public async Task More_than_a_page_is_read_without_losing_order()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new ScriptedLog();
        var count = MeshEventFeed.PageSize * 2 + 7;
        for (var i = 0; i < count; i++)
        {
            log.Add($"s{i}");
        }

        await using var feed = Open(log, fromStart: true, guard.Token);
        for (var i = 1; i <= count; i++)
        {
            Assert.Equal(i, (await NextAsync(feed)).Sequence);
        }
    }

    [Fact]
    public async Task Cancelling_ends_the_feed()
    {
        using var stop = new CancellationTokenSource();
        var log = new ScriptedLog();
        await using var feed = Open(log, fromStart: true, stop.Token);
        var next = feed.MoveNextAsync().AsTask();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task A_disposed_client_is_not_retried()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var feed = new MeshEventFeed((_, _, _) => throw new ObjectDisposedException("client"), TimeSpan.FromMilliseconds(5), TimeProvider.System, NullLogger.Instance);
        await using var events = feed.ReadAsync(fromStart: true, guard.Token).GetAsyncEnumerator(guard.Token);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => events.MoveNextAsync().AsTask());
    }

    private static async Task Eventually(Func<bool> condition, CancellationToken guard)
    {
        while (!condition())
        {
            await Task.Delay(5, guard);
        }
    }
}
