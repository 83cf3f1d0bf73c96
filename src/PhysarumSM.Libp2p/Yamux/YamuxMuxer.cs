using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Libp2p.Muxing;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// The <c>/yamux/1.0.0</c> stream muxer. Why: it is the muxer go-libp2p and js-libp2p both speak, so it is the one
/// our connections negotiate.
/// </summary>
public sealed class YamuxMuxer : IStreamMuxer
{
    /// <summary>The multistream protocol id.</summary>
    public const string Protocol = "/yamux/1.0.0";

    private readonly YamuxOptions _options;
    private readonly ILoggerFactory _loggerFactory;

    public YamuxMuxer(YamuxOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new YamuxOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    public string ProtocolId => Protocol;

    public IMuxedConnection Start(Stream secured, bool isInitiator) => StartSession(secured, isInitiator);

    /// <summary>Like <see cref="Start"/>, typed: the session also offers PingAsync, GoAwayAsync and StreamCount.</summary>
    public YamuxSession StartSession(Stream secured, bool isInitiator)
    {
        ArgumentNullException.ThrowIfNull(secured);
        return YamuxSession.Start(secured, isInitiator, _options, _loggerFactory.CreateLogger<YamuxSession>());
    }
}
