using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Host;

/// <summary>Source-generated log messages of the host (no formatting cost when the level is off).</summary>
internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "listening on {Address}")]
    public static partial void Listening(ILogger logger, Multiaddr address);

    [LoggerMessage(2, LogLevel.Warning, "inbound connection from {Remote} refused: {Reason}")]
    public static partial void InboundRefused(ILogger logger, Multiaddr remote, string reason);

    [LoggerMessage(3, LogLevel.Warning, "inbound handshake from {Remote} failed: {Reason}")]
    public static partial void InboundHandshakeFailed(ILogger logger, Multiaddr remote, string reason);

    [LoggerMessage(4, LogLevel.Information, "connected to {Peer} ({Direction}, {Remote})")]
    public static partial void Connected(ILogger logger, PeerId peer, string direction, Multiaddr remote);

    [LoggerMessage(5, LogLevel.Information, "connection to {Peer} closed{Reason}")]
    public static partial void Disconnected(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(6, LogLevel.Debug, "stream from {Peer} refused: {Reason}")]
    public static partial void StreamRefused(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(7, LogLevel.Warning, "handler for {Protocol} from {Peer} failed: {Reason}")]
    public static partial void HandlerFailed(ILogger logger, string protocol, PeerId peer, string reason);

    [LoggerMessage(8, LogLevel.Debug, "identify with {Peer} failed: {Reason}")]
    public static partial void IdentifyFailed(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(9, LogLevel.Debug, "duplicate connection to {Peer} superseded ({Kept} kept)")]
    public static partial void Superseded(ILogger logger, PeerId peer, string kept);

    [LoggerMessage(10, LogLevel.Error, "accept loop on {Address} stopped: {Reason}")]
    public static partial void AcceptLoopFailed(ILogger logger, Multiaddr address, string reason);

    [LoggerMessage(11, LogLevel.Warning, "event handler failed: {Reason}")]
    public static partial void EventHandlerFailed(ILogger logger, string reason);
}
