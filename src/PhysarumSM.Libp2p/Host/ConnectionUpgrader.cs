using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Multistream;
using PhysarumSM.Libp2p.Muxing;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Security;
using PhysarumSM.Libp2p.Transport;

namespace PhysarumSM.Libp2p.Host;

/// <summary>
/// Turns a raw transport connection into a muxed, authenticated one. The whole libp2p upgrade order
/// lives here, in one place: raw TCP → pnet (when a PSK is set) → multistream "/noise" → Noise XX →
/// muxer (early via Noise extensions, else multistream "/yamux/1.0.0") → per-stream multistream (host).
/// </summary>
internal sealed class ConnectionUpgrader(
    IConnectionProtector? protector,
    ISecurityTransport security,
    IStreamMuxer muxer,
    TimeSpan handshakeTimeout)
{
    /// <summary>Upgrades a connection we dialled; fails if the remote is not <paramref name="expectedPeer"/>.</summary>
    public Task<UpgradedConnection> UpgradeOutboundAsync(RawConnection raw, PeerId? expectedPeer, CancellationToken cancellationToken) =>
        UpgradeAsync(raw, isInitiator: true, expectedPeer, cancellationToken);

    /// <summary>Upgrades a connection we accepted.</summary>
    public Task<UpgradedConnection> UpgradeInboundAsync(RawConnection raw, CancellationToken cancellationToken) =>
        UpgradeAsync(raw, isInitiator: false, expectedPeer: null, cancellationToken);

    private async Task<UpgradedConnection> UpgradeAsync(RawConnection raw, bool isInitiator, PeerId? expectedPeer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(handshakeTimeout);
        var stage = "pnet";
        Stream stream = raw.Stream;
        try
        {
            // 1. Private network: both sides send their nonce at once, before any negotiation.
            if (protector is not null)
            {
                stream = await protector.ProtectAsync(stream, timeout.Token).ConfigureAwait(false);
            }

            // 2. Security protocol by multistream-select (a go dialer proposes /tls/1.0.0 first; we answer na).
            stage = "security negotiation";
            if (isInitiator)
            {
                await MultistreamSelect.SelectAsync(stream, [security.ProtocolId], timeout.Token).ConfigureAwait(false);
            }
            else
            {
                await MultistreamSelect.HandleAsync(stream, p => p == security.ProtocolId, null, timeout.Token).ConfigureAwait(false);
            }

            // 3. Noise XX handshake: authenticates the peer ID and may agree on the muxer early.
            stage = "noise handshake";
            var secured = isInitiator
                ? await security.SecureOutboundAsync(stream, expectedPeer, timeout.Token).ConfigureAwait(false)
                : await security.SecureInboundAsync(stream, timeout.Token).ConfigureAwait(false);

            // 4. Muxer: skip multistream when Noise extensions already agreed on it.
            stage = "muxer negotiation";
            if (secured.EarlyMuxer is null)
            {
                if (isInitiator)
                {
                    await MultistreamSelect.SelectAsync(secured.Stream, [muxer.ProtocolId], timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    await MultistreamSelect.HandleAsync(secured.Stream, p => p == muxer.ProtocolId, null, timeout.Token).ConfigureAwait(false);
                }
            }
            else if (secured.EarlyMuxer != muxer.ProtocolId)
            {
                throw new HandshakeException($"Noise agreed on muxer '{secured.EarlyMuxer}', which this host does not run");
            }

            // 5. Muxed session; streams negotiate their own protocol (host).
            return new UpgradedConnection(muxer.Start(secured.Stream, isInitiator), secured, raw);
        }
        catch (Exception ex)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            await raw.Stream.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw ex is OperationCanceledException
                ? new HandshakeException($"{stage} with {raw.RemoteAddress} did not finish within {handshakeTimeout.TotalSeconds:0.#} s{PskHint(stage)}", ex)
                : new HandshakeException($"{stage} with {raw.RemoteAddress} failed: {ex.Message}{PskHint(stage)}", ex);
        }
    }

    /// <summary>A PSK mismatch shows up as garbage in the first negotiation; say so instead of leaving the user guessing.</summary>
    private string PskHint(string stage) => stage is "pnet" or "security negotiation" or "noise handshake"
        ? protector is null
            ? " (if the peer runs a private network, set the same PSK here: -psk / P2P_PSK)"
            : " (check that both peers use the same PSK)"
        : string.Empty;
}

/// <summary>The result of an upgrade: the muxed session and what the handshake proved about the peer.</summary>
internal sealed record UpgradedConnection(IMuxedConnection Muxer, SecuredConnection Secured, RawConnection Raw);
