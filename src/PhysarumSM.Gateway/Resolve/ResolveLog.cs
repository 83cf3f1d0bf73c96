using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Resolve;

/// <summary>Source-generated log messages of the resolve server.</summary>
internal static partial class ResolveLog
{
    [LoggerMessage(8020, LogLevel.Information, "resolve '{Service}' for {Peer}: {Result}")]
    public static partial void Answered(ILogger logger, string service, PeerId peer, string result);

    [LoggerMessage(8021, LogLevel.Warning, "resolve '{Service}' for {Peer} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string service, PeerId peer, string reason);

    [LoggerMessage(8022, LogLevel.Information, "resolve request from {Peer} refused: {Reason}")]
    public static partial void Invalid(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(8023, LogLevel.Debug, "resolve request from {Peer} ended early: {Reason}")]
    public static partial void EndedEarly(ILogger logger, PeerId peer, string reason);
}
