using Microsoft.Extensions.Logging;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>Source-generated log messages for Noise. Why generated: no boxing or formatting when the level is off.</summary>
internal static partial class NoiseLog
{
    /// <summary>Warning: we chose to dial, so a failure (often a wrong expected peer) is worth attention.</summary>
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Noise handshake failed as initiator: {Reason}")]
    public static partial void OutboundHandshakeFailed(ILogger logger, string reason);

    /// <summary>Information: anyone can connect to a listener, so inbound failures must not flood warnings.</summary>
    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Noise handshake failed as responder: {Reason}")]
    public static partial void InboundHandshakeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Noise handshake completed as {Role} with {RemotePeer}; early muxer {EarlyMuxer}")]
    public static partial void HandshakeCompleted(ILogger logger, string role, string remotePeer, string earlyMuxer);
}
