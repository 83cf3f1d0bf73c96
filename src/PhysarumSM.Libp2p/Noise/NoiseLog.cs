using Microsoft.Extensions.Logging;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>Source-generated log messages for Noise. Why generated: no boxing or formatting when the level is off.</summary>
internal static partial class NoiseLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Noise handshake failed as {Role}: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Noise handshake completed as {Role} with {RemotePeer}; early muxer {EarlyMuxer}")]
    public static partial void HandshakeCompleted(ILogger logger, string role, string remotePeer, string earlyMuxer);
}
