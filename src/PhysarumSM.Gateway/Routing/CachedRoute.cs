namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// One cached instance with its reliability level. <see cref="RoutePolicy"/> changes the level and RTT under the
/// owner's lock; the request path only reads them and stamps <see cref="LastUsed"/>, so it never takes the lock.
/// </summary>
internal sealed class CachedRoute
{
    private Route _route;
    private int _level;
    private double _rttMs;
    private long _lastUsed;

    /// <summary>Creates an entry; <paramref name="rttMs"/> null when the node is not measured yet.</summary>
    internal CachedRoute(Route route, long sequence, int level, double? rttMs, long now)
    {
        _route = route;
        Sequence = sequence;
        _level = level;
        _lastUsed = now;
        RecordRtt(rttMs, now);
    }

    /// <summary>The route requests are sent to; replaced when a resolve returns the same instance again.</summary>
    public Route Route
    {
        get => Volatile.Read(ref _route);
        internal set => Volatile.Write(ref _route, value);
    }

    /// <summary>Admission order: the last tie-break, so equal routes are chosen in a stable order.</summary>
    public long Sequence { get; }

    /// <summary>The reliability level: raised by RTT readings within soft, lowered by readings between soft and hard.</summary>
    public int Level
    {
        get => Volatile.Read(ref _level);
        internal set => Volatile.Write(ref _level, value);
    }

    /// <summary>The RTT (ms) read at the last check or at admission; null when the node was not measured.</summary>
    public double? RttMs
    {
        get
        {
            var rtt = Volatile.Read(ref _rttMs);
            return double.IsNaN(rtt) ? null : rtt;
        }
    }

    /// <summary>Since when (a <see cref="TimeProvider"/> timestamp) the node has had no RTT; null while measured.</summary>
    public long? UnmeasuredSince { get; private set; }

    /// <summary>When (a <see cref="TimeProvider"/> timestamp) a request last took or finished on this route.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>Stamps a use; lock-free because racing stamps all carry about the same time.</summary>
    public void Touch(long now) => Volatile.Write(ref _lastUsed, now);

    /// <summary>Keeps a reading; the unmeasured clock starts at the first missing reading and stops at the next one.</summary>
    internal void RecordRtt(double? rttMs, long now)
    {
        // NaN encodes "unmeasured" so the request path reads the RTT in one atomic load.
        Volatile.Write(ref _rttMs, rttMs ?? double.NaN);
        UnmeasuredSince = rttMs is null ? UnmeasuredSince ?? now : null;
    }
}
