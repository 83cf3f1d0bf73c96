using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>Source-generated log messages of the tunnel server (no formatting cost when the level is off).</summary>
internal static partial class TunnelLog
{
    [LoggerMessage(8001, LogLevel.Debug, "tunnel from {Peer} to instance '{Instance}' at {Endpoint} opened")]
    public static partial void Opened(ILogger logger, PeerId peer, string instance, string endpoint);

    [LoggerMessage(8002, LogLevel.Debug, "tunnel from {Peer} to instance '{Instance}' closed: {ToInstance} bytes in, {FromInstance} bytes out")]
    public static partial void Closed(ILogger logger, PeerId peer, string instance, long toInstance, long fromInstance);

    [LoggerMessage(8003, LogLevel.Information, "tunnel from {Peer} refused ({Code}): {Reason}")]
    public static partial void Refused(ILogger logger, PeerId peer, string code, string reason);

    [LoggerMessage(8004, LogLevel.Debug, "tunnel from {Peer} to instance '{Instance}' torn down after {ToInstance} bytes in, {FromInstance} bytes out: {Reason}")]
    public static partial void TornDown(ILogger logger, PeerId peer, string instance, long toInstance, long fromInstance, string reason);

    [LoggerMessage(8005, LogLevel.Information, "tunnel from {Peer} to instance '{Instance}' closed after {Idle} without traffic")]
    public static partial void IdleClosed(ILogger logger, PeerId peer, string instance, TimeSpan idle);

    [LoggerMessage(8006, LogLevel.Warning, "tunnel from {Peer} failed: {Reason}")]
    public static partial void Failed(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(8007, LogLevel.Debug, "could not answer the tunnel request of {Peer}: {Reason}")]
    public static partial void AnswerFailed(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(8008, LogLevel.Debug, "tunnel request from {Peer} ended before its header: {Reason}")]
    public static partial void EndedEarly(ILogger logger, PeerId peer, string reason);
}
