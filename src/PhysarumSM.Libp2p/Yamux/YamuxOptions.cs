namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// Tunables of yamux sessions. Why a mutable class with defaults: it is bound from configuration, and the
/// defaults are the values go-libp2p and js-libp2p use, so an unconfigured node behaves like its peers.
/// </summary>
public sealed class YamuxOptions
{
    /// <summary>The window every yamux stream starts with in both directions (fixed by the spec).</summary>
    public const int SpecInitialWindow = 256 * 1024;

    /// <summary>Receive window granted to each new stream; larger than 256 KiB is announced in the SYN/ACK frame.</summary>
    public int InitialStreamWindow { get; set; } = SpecInitialWindow;

    /// <summary>Upper bound for a stream's receive window when it grows (go and js use 16 MiB).</summary>
    public int MaxStreamWindow { get; set; } = 16 * 1024 * 1024;

    /// <summary>Live inbound streams allowed at once; a SYN beyond this is answered with RST.</summary>
    public int MaxInboundStreams { get; set; } = 1000;

    /// <summary>Live outbound streams allowed at once; OpenStreamAsync beyond this throws.</summary>
    public int MaxOutboundStreams { get; set; } = 1000;

    /// <summary>Inbound streams waiting for AcceptStreamAsync; a SYN beyond this is answered with RST.</summary>
    public int AcceptBacklog { get; set; } = 256;

    /// <summary>
    /// Largest Data payload we put in one frame. The default makes header + payload exactly one full Noise message
    /// (65519 bytes), so a batch of full frames encrypts as whole messages instead of 65519 + a 17-byte straggler;
    /// it stays below the 64 KiB − 12 that go writes, so every peer accepts it.
    /// </summary>
    public int MaxDataFrame { get; set; } = Noise.NoiseStream.MaxPlaintextSize - YamuxFrameHeader.Size;

    /// <summary>
    /// Most bytes of frames coalesced into one write to the underlying stream; the last 64 KiB are kept for
    /// header-only frames (ACK, RST, ping replies) and small Data frames (at most 16 KiB of them, so protocol
    /// replies do not queue behind bulk data). The outbound queue holds at most two such batches (one being
    /// written, one filling), which bounds our send-side memory.
    /// </summary>
    public int WriteBatchSize { get; set; } = 256 * 1024;

    /// <summary>Interval between keepalive pings; zero or negative disables keepalive.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A keepalive ping unanswered for this long ends the session.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A single write to the underlying stream taking longer than this ends the session; zero or negative disables.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a combination cannot work (e.g. a window below the spec's 256 KiB).</summary>
    public void Validate()
    {
        if (InitialStreamWindow < SpecInitialWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialStreamWindow), InitialStreamWindow, "Yamux windows start at 256 KiB and cannot be smaller.");
        }

        if (MaxStreamWindow < InitialStreamWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStreamWindow), MaxStreamWindow, "MaxStreamWindow must be at least InitialStreamWindow.");
        }

        if (MaxInboundStreams < 1 || MaxOutboundStreams < 1 || AcceptBacklog < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInboundStreams), "Stream limits and AcceptBacklog must be positive.");
        }

        if (MaxDataFrame < 1 || MaxDataFrame > MaxStreamWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDataFrame), MaxDataFrame, "MaxDataFrame must be between 1 and MaxStreamWindow.");
        }

        if (WriteBatchSize < MaxDataFrame + YamuxFrameHeader.Size + YamuxFrameWriter.ControlSlack)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteBatchSize), WriteBatchSize, "WriteBatchSize must hold a full Data frame plus 64 KiB for control frames.");
        }

        if (KeepAliveInterval > TimeSpan.Zero && PingTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PingTimeout), PingTimeout, "PingTimeout must be positive when keepalive is on.");
        }
    }
}
