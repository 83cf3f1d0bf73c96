using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Security;
using PublicKey = PhysarumSM.Libp2p.Crypto.PublicKey;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// libp2p's <c>/noise</c> security transport: an XX handshake whose payloads bind the Noise static key to the
/// libp2p identity, plus early muxer negotiation. Why one static key per instance: it is not an identity
/// (the signature binds it), so a per-node key saves a key generation and a signature per connection.
/// </summary>
public sealed class NoiseSecurity : ISecurityTransport
{
    /// <summary>The multistream protocol id.</summary>
    public const string Id = "/noise";

    private readonly IdentityKey _identity;
    private readonly string[] _streamMuxers;
    private readonly ILogger _logger;
    private X25519KeyPair _staticKey;
    private byte[] _payload;

    /// <param name="identity">Our libp2p identity; signs the Noise static key.</param>
    /// <param name="streamMuxers">Muxers to advertise for early negotiation, in preference order (may be empty).</param>
    /// <param name="loggerFactory">Optional logging for handshake outcomes.</param>
    public NoiseSecurity(IdentityKey identity, IReadOnlyList<string> streamMuxers, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(streamMuxers);
        _identity = identity;
        _streamMuxers = [.. streamMuxers];
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<NoiseSecurity>();
        _staticKey = X25519KeyPair.Generate();
        _payload = BuildPayload();
    }

    /// <inheritdoc />
    public string ProtocolId => Id;

    /// <summary>Test hook: creates each handshake's ephemeral key (fixed keys reproduce the vectors).</summary>
    internal Func<X25519KeyPair> EphemeralKeyFactory { get; set; } = X25519KeyPair.Generate;

    /// <summary>Test hook: the static X25519 key; setting it re-signs the payload.</summary>
    internal X25519KeyPair StaticKey
    {
        get => _staticKey;
        set
        {
            _staticKey = value;
            _payload = BuildPayload();
        }
    }

    /// <inheritdoc />
    public Task<SecuredConnection> SecureInboundAsync(Stream stream, CancellationToken cancellationToken) =>
        RunHandshakeAsync(stream, isInitiator: false, expectedRemote: null, cancellationToken);

    /// <inheritdoc />
    public Task<SecuredConnection> SecureOutboundAsync(Stream stream, PeerId? expectedRemote, CancellationToken cancellationToken) =>
        RunHandshakeAsync(stream, isInitiator: true, expectedRemote, cancellationToken);

    /// <summary>
    /// The early muxer (inlined muxer negotiation): the first entry of the initiator's list that the responder
    /// also lists; null when either list is empty; a handshake failure when both are non-empty but disjoint.
    /// </summary>
    internal static string? SelectEarlyMuxer(IReadOnlyList<string> initiatorMuxers, IReadOnlyList<string> responderMuxers)
    {
        if (initiatorMuxers.Count == 0 || responderMuxers.Count == 0)
        {
            return null;
        }

        foreach (var muxer in initiatorMuxers)
        {
            if (responderMuxers.Contains(muxer, StringComparer.Ordinal))
            {
                return muxer;
            }
        }

        throw new HandshakeException(
            $"Noise handshake: no common stream muxer (initiator offers [{string.Join(", ", initiatorMuxers)}], responder offers [{string.Join(", ", responderMuxers)}]).");
    }

    private async Task<SecuredConnection> RunHandshakeAsync(Stream stream, bool isInitiator, PeerId? expectedRemote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var role = isInitiator ? "initiator" : "responder";
        try
        {
            var result = isInitiator
                ? await RunInitiatorAsync(stream, expectedRemote, cancellationToken).ConfigureAwait(false)
                : await RunResponderAsync(stream, cancellationToken).ConfigureAwait(false);
            NoiseLog.HandshakeCompleted(_logger, role, result.RemotePeer.ToString(), result.EarlyMuxer ?? "(none)");
            return result;
        }
        catch (HandshakeException e)
        {
            LogFailure(isInitiator, e.Message);
            throw;
        }
        catch (EndOfStreamException e)
        {
            LogFailure(isInitiator, "connection closed");
            throw new HandshakeException("Noise handshake: the peer closed the connection during the handshake.", e);
        }
        catch (IOException e) when (e is not Libp2pProtocolException)
        {
            LogFailure(isInitiator, e.Message);
            throw new HandshakeException($"Noise handshake: I/O failure ({e.Message}).", e);
        }
    }

    private void LogFailure(bool isInitiator, string reason)
    {
        if (isInitiator)
        {
            NoiseLog.OutboundHandshakeFailed(_logger, reason);
        }
        else
        {
            NoiseLog.InboundHandshakeFailed(_logger, reason);
        }
    }

    private async Task<SecuredConnection> RunInitiatorAsync(Stream stream, PeerId? expectedRemote, CancellationToken cancellationToken)
    {
        using var handshake = new HandshakeState(isInitiator: true, _staticKey, EphemeralKeyFactory);
        var payload = _payload; // a consistent snapshot even if a test swaps the static key meanwhile

        // -> e
        await NoiseHandshakeFraming.WriteAsync(stream, handshake.WriteMessage([]), cancellationToken).ConfigureAwait(false);

        // <- e, ee, s, es + responder payload
        var message2 = await NoiseHandshakeFraming.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        var remotePayload = NoisePayload.Decode(handshake.ReadMessage(message2));
        var remoteKey = VerifyRemote(remotePayload, handshake.RemoteStaticKey!);
        var remotePeer = PeerId.FromPublicKey(remoteKey);
        if (expectedRemote is not null && expectedRemote != remotePeer)
        {
            throw new HandshakeException($"dialled {expectedRemote} but the peer is {remotePeer}");
        }

        var earlyMuxer = SelectEarlyMuxer(_streamMuxers, remotePayload.StreamMuxers);

        // -> s, se + our payload
        await NoiseHandshakeFraming.WriteAsync(stream, handshake.WriteMessage(payload), cancellationToken).ConfigureAwait(false);

        var (sendKey, receiveKey) = handshake.Split();
        return new SecuredConnection(new NoiseStream(stream, sendKey, receiveKey), remotePeer, remoteKey, earlyMuxer);
    }

    private async Task<SecuredConnection> RunResponderAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var handshake = new HandshakeState(isInitiator: false, _staticKey, EphemeralKeyFactory);
        var payload = _payload;

        // -> e (libp2p sends no payload in message 1; anything there is ignored)
        var message1 = await NoiseHandshakeFraming.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        handshake.ReadMessage(message1);

        // <- e, ee, s, es + our payload
        await NoiseHandshakeFraming.WriteAsync(stream, handshake.WriteMessage(payload), cancellationToken).ConfigureAwait(false);

        // -> s, se + initiator payload
        var message3 = await NoiseHandshakeFraming.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        var remotePayload = NoisePayload.Decode(handshake.ReadMessage(message3));
        var remoteKey = VerifyRemote(remotePayload, handshake.RemoteStaticKey!);
        var remotePeer = PeerId.FromPublicKey(remoteKey);
        var earlyMuxer = SelectEarlyMuxer(remotePayload.StreamMuxers, _streamMuxers);

        var (sendKey, receiveKey) = handshake.Split();
        return new SecuredConnection(new NoiseStream(stream, sendKey, receiveKey), remotePeer, remoteKey, earlyMuxer);
    }

    /// <summary>Decodes the remote identity key and checks its signature over the remote static key.</summary>
    private static PublicKey VerifyRemote(NoisePayload payload, byte[] remoteStaticKey)
    {
        PublicKey key;
        try
        {
            key = PublicKey.FromProtobuf(payload.IdentityKey);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new HandshakeException($"Noise handshake: the peer's identity key is unsupported or malformed ({e.Message}).", e);
        }

        bool valid;
        try
        {
            valid = key.Verify(NoisePayload.SignedData(remoteStaticKey), payload.IdentitySignature);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new HandshakeException($"Noise handshake: could not verify the peer's {key.Type} signature ({e.Message}).", e);
        }

        if (!valid)
        {
            throw new HandshakeException($"Noise handshake: the peer's {key.Type} signature over its Noise static key is invalid.");
        }

        return key;
    }

    private byte[] BuildPayload()
    {
        var signature = _identity.Sign(NoisePayload.SignedData(_staticKey.PublicKey));
        return new NoisePayload(_identity.PublicKey.ToProtobuf(), signature, _streamMuxers).Encode();
    }
}
