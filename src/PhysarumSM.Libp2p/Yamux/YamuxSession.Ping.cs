using System.Diagnostics;

namespace PhysarumSM.Libp2p.Yamux;

// Pings: answering the peer's, measuring RTT with ours, and keepalive.
public sealed partial class YamuxSession
{
    private readonly Lock _pingGate = new();
    private TaskCompletionSource<TimeSpan>? _pendingPing;
    private uint _pendingPingValue;
    private long _pendingPingStart;
    private uint _lastPingValue;
    private long _rttTicks;

    /// <summary>Latest measured round trip in Stopwatch ticks; 0 until the first ping is answered.</summary>
    internal long RttTicks => Volatile.Read(ref _rttTicks);

    /// <summary>
    /// Measures the round trip with a yamux Ping. Why shared: js rejects a second outstanding ping, so concurrent
    /// callers (and keepalive) wait for the one ping in flight.
    /// </summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken) =>
        await StartPing().WaitAsync(cancellationToken).ConfigureAwait(false);

    private Task<TimeSpan> StartPing()
    {
        lock (_pingGate)
        {
            if (IsEnding)
            {
                throw new IOException("The yamux session has ended.", _endReason);
            }

            if (_pendingPing is null)
            {
                _pendingPing = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pendingPingValue = ++_lastPingValue;
                _pendingPingStart = Stopwatch.GetTimestamp();
                Writer.EnqueueControl(YamuxFrameType.Ping, YamuxFrameFlags.Syn, 0, _pendingPingValue);
            }

            return _pendingPing.Task;
        }
    }

    private void OnPing(in YamuxFrameHeader header)
    {
        if (header.Flags == YamuxFrameFlags.Syn)
        {
            // Answered at once with the same value: go ends a session whose ping waits 10 s.
            Writer.EnqueueControl(YamuxFrameType.Ping, YamuxFrameFlags.Ack, 0, header.Length);
            Interlocked.Increment(ref Counters.PingsAnswered);
            return;
        }

        TaskCompletionSource<TimeSpan>? answered = null;
        long elapsed = 0;
        lock (_pingGate)
        {
            if (_pendingPing is not null && _pendingPingValue == header.Length)
            {
                answered = _pendingPing;
                _pendingPing = null;
                elapsed = Stopwatch.GetTimestamp() - _pendingPingStart;
            }
        }

        if (answered is null)
        {
            YamuxLog.UnexpectedPingAck(_logger, header.Length);
            return;
        }

        Volatile.Write(ref _rttTicks, Math.Max(1, elapsed));
        answered.TrySetResult(Stopwatch.GetElapsedTime(0, elapsed));
    }

    private void FailPendingPing(Exception reason)
    {
        TaskCompletionSource<TimeSpan>? pending;
        lock (_pingGate)
        {
            pending = _pendingPing;
            _pendingPing = null;
        }

        if (pending is not null && pending.TrySetException(reason))
        {
            // Observed here: the initial RTT ping has no awaiter.
            _ = pending.Task.Exception;
        }
    }

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Measure RTT at once (go and js do too): window growth needs it.
            _ = StartPing();
            if (_keepAliveInterval <= TimeSpan.Zero)
            {
                return;
            }

            while (true)
            {
                await Task.Delay(_keepAliveInterval, cancellationToken).ConfigureAwait(false);
                try
                {
                    await StartPing().WaitAsync(_pingTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    YamuxLog.KeepAliveTimeout(_logger, _pingTimeout);
                    End(new IOException($"The peer did not answer a keepalive ping within {_pingTimeout}.", new TimeoutException()), goAway: null, drain: false, resetStreams: false);
                    return;
                }
            }
        }
        catch (Exception)
        {
            // Cancelled, or the session ended (the ping failed with its reason): nothing left to keep alive.
        }
    }
}
