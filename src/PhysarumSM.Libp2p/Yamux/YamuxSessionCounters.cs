namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// Diagnostics of one session. Why: tests and benchmarks check coalescing (frames per underlying write),
/// refusals and pings without timing anything. Updated with Interlocked where several threads write.
/// </summary>
internal sealed class YamuxSessionCounters
{
    public long FramesRead;
    public long DataFramesQueued;
    public long ControlFramesQueued;
    public long BatchesWritten;
    public long BytesWritten;
    public long StreamsRefused;
    public long PingsAnswered;
}
