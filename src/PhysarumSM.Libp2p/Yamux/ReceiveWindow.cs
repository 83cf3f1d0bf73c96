namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// Receive-side flow control of one stream: how much the peer may still send, and when to grant more.
/// Why: the peer may only send what we advertised, which bounds our buffering per stream; and a window the
/// application drains within ~4 round trips is too small for the path, so it doubles (up to a maximum), as go
/// and js do. Not thread-safe: the owning stream's lock guards it.
/// </summary>
internal sealed class ReceiveWindow
{
    private readonly long _max;
    private long _epochStart;

    public ReceiveWindow(int initial, int max)
    {
        Size = initial;
        Credit = initial;
        _max = max;
        _epochStart = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Target for credit + buffered bytes; grows when drained quickly.</summary>
    public long Size { get; private set; }

    /// <summary>Bytes the peer may still send before it must wait for an update.</summary>
    public long Credit { get; private set; }

    /// <summary>Accounts a Data frame; false when it is larger than the remaining credit (a protocol violation).</summary>
    public bool TryReceive(uint length)
    {
        if (length > Credit)
        {
            return false;
        }

        Credit -= length;
        return true;
    }

    /// <summary>
    /// Called after the application consumed bytes; returns the WindowUpdate delta to send now, or 0.
    /// Updates go out once at least half the window is free again, so they stay rare (go's rule).
    /// </summary>
    /// <param name="buffered">Bytes still buffered (unread).</param>
    /// <param name="rttTicks">Latest session RTT in Stopwatch ticks; 0 when unknown (then the window never grows).</param>
    /// <param name="now">Stopwatch timestamp.</param>
    public uint NextUpdate(long buffered, long rttTicks, long now)
    {
        long delta = Size - buffered - Credit;
        if (delta < Size / 2)
        {
            return 0;
        }

        if (rttTicks > 0 && Size < _max && now - _epochStart < 4 * rttTicks)
        {
            long grown = Math.Min(Size * 2, _max);
            delta += grown - Size;
            Size = grown;
        }

        _epochStart = now;
        Credit += delta;
        return (uint)delta;
    }
}
