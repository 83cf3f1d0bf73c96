using Microsoft.Extensions.Logging;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>Source-generated log messages of the yamux layer. Why generated: no boxing or formatting when a level is off.</summary>
internal static partial class YamuxLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Yamux session ends: the peer broke the protocol: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Yamux session ends: {Reason}")]
    public static partial void SessionFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Yamux session closed ({Reason})")]
    public static partial void SessionClosed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Yamux keepalive ping unanswered for {Timeout}; ending the session")]
    public static partial void KeepAliveTimeout(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "Refused inbound yamux stream {StreamId}: {Reason}")]
    public static partial void StreamRefused(ILogger logger, uint streamId, string reason);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "Peer sent yamux GoAway with code {Code}")]
    public static partial void GoAwayReceived(ILogger logger, uint code);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Error, Message = "Yamux session failed unexpectedly")]
    public static partial void UnexpectedFailure(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Debug, Message = "Ignoring yamux ping ACK {Value}: no such ping outstanding")]
    public static partial void UnexpectedPingAck(ILogger logger, uint value);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Debug, Message = "Closing the connection under the yamux session failed")]
    public static partial void ConnectionDisposeFailed(ILogger logger, Exception exception);
}
