using Microsoft.Extensions.Logging;
using PhysarumSM.Contracts;

namespace PhysarumSM.Grains;

/// <summary>In-memory latest sample of one directed link; fed through the measuring node's grain in batches.</summary>
internal sealed partial class PeerLinkGrain(ILogger<PeerLinkGrain> logger) : Grain, IPeerLinkGrain
{
    private PeerLinkKey? _key;
    private LinkSample? _sample;

    // Parsed on first use rather than in OnActivateAsync, so a malformed key reaches the caller as a plain FormatException.
    private PeerLinkKey Key => _key ??= ParseKey();

    public Task<bool> Report(LinkSample sample, CancellationToken cancellationToken = default)
    {
        LinkSampleRules.Validate(sample);
        if (sample.Key != Key)
        {
            throw new ArgumentException($"sample of link {sample.Key} sent to the grain of link {Key}", nameof(sample));
        }

        if (_sample is not null && sample.SeenAt < _sample.SeenAt)
        {
            LogOlderSample(Key, sample.SeenAt, _sample.SeenAt);
            return Task.FromResult(false);
        }

        _sample = sample;
        return Task.FromResult(true);
    }

    public Task<LinkSample?> Get(CancellationToken cancellationToken = default)
    {
        _ = Key;
        return Task.FromResult(_sample);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A link whose activation the runtime replaced (DeactivationReasons) is still measured: its next report returns.
        if (_sample is { } last && DeactivationReasons.MeansGone(reason.ReasonCode))
        {
            try
            {
                await GrainFactory.GetMeshDirectory().LinkGone(last.Key, last.SeenAt, cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDirectoryUnreachable(last.Key, reason.ReasonCode, ex);
            }
        }
    }

    private PeerLinkKey ParseKey()
    {
        try
        {
            return PeerLinkKey.Parse(this.GetPrimaryKeyString());
        }
        catch (FormatException)
        {
            DeactivateOnIdle();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Link {Link}: ignored a sample seen at {SeenAt}, older than the stored one of {StoredAt}")]
    private partial void LogOlderSample(PeerLinkKey link, DateTimeOffset seenAt, DateTimeOffset storedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link} deactivating ({Reason}) could not tell the mesh directory; it will expire there")]
    private partial void LogDirectoryUnreachable(PeerLinkKey link, DeactivationReasonCode reason, Exception exception);
}
