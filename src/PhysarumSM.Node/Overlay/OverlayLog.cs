using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>Source-generated log messages of the overlay services (no formatting cost when the level is off).</summary>
internal static partial class OverlayLog
{
    [LoggerMessage(3001, LogLevel.Information, "no bootstrap peers given: this node is a bootstrap")]
    public static partial void IsBootstrap(ILogger logger);

    [LoggerMessage(3002, LogLevel.Information, "connected to bootstrap {Peer} on attempt {Attempt}")]
    public static partial void BootstrapConnected(ILogger logger, PeerId peer, int attempt);

    [LoggerMessage(3003, LogLevel.Warning, "bootstrap {Peer} attempt {Attempt}/{Attempts} failed: {Reason}; retrying in {Delay}")]
    public static partial void BootstrapAttemptFailed(ILogger logger, PeerId peer, int attempt, int attempts, string reason, TimeSpan delay);

    [LoggerMessage(3004, LogLevel.Warning, "bootstrap {Peer} unreachable after {Attempts} attempts: {Reason}")]
    public static partial void BootstrapGaveUp(ILogger logger, PeerId peer, int attempts, string reason);

    [LoggerMessage(3005, LogLevel.Warning, "lost bootstrap {Peer}; redialling with backoff")]
    public static partial void BootstrapLost(ILogger logger, PeerId peer);

    [LoggerMessage(3006, LogLevel.Information, "redial of bootstrap {Peer} failed: {Reason}; next attempt in {Delay}")]
    public static partial void BootstrapRedialFailed(ILogger logger, PeerId peer, string reason, TimeSpan delay);

    [LoggerMessage(3007, LogLevel.Information, "reconnected to bootstrap {Peer}")]
    public static partial void BootstrapReconnected(ILogger logger, PeerId peer);

    [LoggerMessage(3008, LogLevel.Information, "this node is listed among its own bootstraps: it is a bootstrap, the others are dialled in the background")]
    public static partial void ListedAsOwnBootstrap(ILogger logger);

    [LoggerMessage(3020, LogLevel.Debug, "peer {Peer} does not speak peer exchange (identify only)")]
    public static partial void ExchangeUnsupported(ILogger logger, PeerId peer);

    [LoggerMessage(3021, LogLevel.Warning, "ignored peer exchange answer from {Peer}: {Reason}")]
    public static partial void ExchangeAnswerIgnored(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(3022, LogLevel.Debug, "peer exchange with {Peer} failed: {Reason}")]
    public static partial void ExchangeFailed(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(3023, LogLevel.Debug, "peer {Peer} told us about {Count} peers")]
    public static partial void ExchangeLearned(ILogger logger, PeerId peer, int count);

    [LoggerMessage(3024, LogLevel.Information, "mesh: connected to {Peer} via {Address}")]
    public static partial void MeshConnected(ILogger logger, PeerId peer, Multiaddr address);

    [LoggerMessage(3025, LogLevel.Debug, "mesh: dialling {Peer} failed ({Failures} in a row): {Reason}; next attempt in {Delay}")]
    public static partial void MeshDialFailed(ILogger logger, PeerId peer, int failures, string reason, TimeSpan delay);

    [LoggerMessage(3026, LogLevel.Debug, "mesh: {Peer} forgotten after {Failures} failed dials")]
    public static partial void MeshForgot(ILogger logger, PeerId peer, int failures);

    [LoggerMessage(3027, LogLevel.Debug, "peer exchange request from {Peer} refused: {Reason}")]
    public static partial void ExchangeRequestRefused(ILogger logger, PeerId peer, string reason);
}
