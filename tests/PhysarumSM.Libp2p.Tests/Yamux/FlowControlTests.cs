using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

public sealed class FlowControlTests
{
    private const int Window = YamuxOptions.SpecInitialWindow;

    [Fact]
    public void Receive_window_refuses_more_than_the_credit()
    {
        var window = new ReceiveWindow(Window, 16 * Window);
        Assert.True(window.TryReceive(Window - 1));
        Assert.True(window.TryReceive(1));
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void Receive_window_grants_once_half_is_consumed_and_restores_full_credit()
    {
        var window = new ReceiveWindow(Window, 16 * Window);
        Assert.True(window.TryReceive(Window));
        long now = Stopwatch.GetTimestamp();

        // A quarter read: no update yet (updates stay rare).
        Assert.Equal(0u, window.NextUpdate(buffered: 3 * Window / 4, rttTicks: 0, now));

        // Half read: the update brings credit + buffered back to the window.
        Assert.Equal((uint)(Window / 2), window.NextUpdate(buffered: Window / 2, rttTicks: 0, now));
        Assert.Equal(Window / 2, window.Credit);
        Assert.Equal(Window, window.Size);
    }

    [Fact]
    public void Receive_window_doubles_when_drained_within_four_round_trips_up_to_the_max()
    {
        var window = new ReceiveWindow(Window, 2 * Window);
        Assert.True(window.TryReceive(Window));
        long now = Stopwatch.GetTimestamp();
        long hugeRtt = Stopwatch.Frequency * 100;

        uint delta = window.NextUpdate(buffered: 0, hugeRtt, now);
        Assert.Equal((uint)(2 * Window), delta);
        Assert.Equal(2 * Window, window.Size);

        Assert.True(window.TryReceive(2 * Window));
        Assert.Equal((uint)(2 * Window), window.NextUpdate(buffered: 0, hugeRtt, now));
        Assert.Equal(2 * Window, window.Size);
    }

    [Property(MaxTest = 300)]
    public bool Receive_window_never_lets_the_peer_exceed_size(PositiveInt[] chunks)
    {
        // Peer sends as much as it may, app reads everything each time: credit + buffered never exceeds Size.
        var window = new ReceiveWindow(Window, 4 * Window);
        long buffered = 0;
        foreach (var chunk in chunks)
        {
            uint want = (uint)Math.Min(chunk.Get, window.Credit);
            if (!window.TryReceive(want))
            {
                return false;
            }

            buffered += want;
            if (buffered + window.Credit > window.Size)
            {
                return false;
            }

            buffered = 0;
            window.NextUpdate(buffered, rttTicks: 1, Stopwatch.GetTimestamp());
            if (window.Credit > window.Size)
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 200)]
    public bool Receive_buffer_returns_exactly_what_was_appended(byte[][] appends, PositiveInt readSize)
    {
        var buffer = new ReceiveBuffer();
        var expected = new List<byte>();
        foreach (var a in appends)
        {
            buffer.Append(a ?? []);
            expected.AddRange(a ?? []);
        }

        var actual = new List<byte>();
        var chunk = new byte[Math.Min(readSize.Get, 70_000)];
        int n;
        while ((n = buffer.Read(chunk)) > 0)
        {
            actual.AddRange(chunk.AsSpan(0, n).ToArray());
        }

        return buffer.Length == 0 && expected.SequenceEqual(actual);
    }

    [Fact]
    public void Receive_buffer_handles_many_large_segments()
    {
        var buffer = new ReceiveBuffer();
        var data = YamuxTestData.Pattern(1_000_000, 7);
        for (int i = 0; i < data.Length; i += 10_000)
        {
            buffer.Append(data.AsSpan(i, 10_000));
        }

        var read = new byte[data.Length];
        int total = 0;
        while (total < read.Length)
        {
            total += buffer.Read(read.AsSpan(total, Math.Min(33_333, read.Length - total)));
        }

        Assert.Equal(data, read);
        buffer.Append([1, 2, 3]);
        buffer.Clear();
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public async Task Auto_reset_event_remembers_a_set_without_waiter_and_honours_cancellation()
    {
        var signal = new AsyncAutoResetEvent();
        signal.Set();
        await signal.WaitAsync(CancellationToken.None); // latched: completes at once

        using var cts = new CancellationTokenSource();
        var wait = signal.WaitAsync(cts.Token);
        Assert.False(wait.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);

        // The cancelled wait leaves no latch behind, and later waits work.
        var next = signal.WaitAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);
        signal.Set();
        await next;
    }
}
