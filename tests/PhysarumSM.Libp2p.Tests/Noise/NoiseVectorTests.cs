using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Noise;
using static PhysarumSM.Libp2p.Tests.Noise.NoiseVectors;

namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>Byte-exact Noise vectors (wire digest 7.6 (a) and (b)).</summary>
public sealed class NoiseVectorTests
{
    private static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public void Symmetric_state_starts_from_the_padded_protocol_name()
    {
        using var state = new SymmetricState(HandshakeState.ProtocolName);
        state.MixHash([]);
        Assert.Equal(HashAfterPrologue, Convert.ToHexStringLower(state.HandshakeHash));
    }

    [Fact]
    public void Pure_Noise_vector_a_messages_and_transport()
    {
        var (initiator, responder) = VectorStates();
        using (initiator)
        using (responder)
        {
            var m1 = initiator.WriteMessage([]);
            Assert.Empty(responder.ReadMessage(m1));
            var m2 = responder.WriteMessage([]);
            Assert.Empty(initiator.ReadMessage(m2));
            var m3 = initiator.WriteMessage([]);
            Assert.Empty(responder.ReadMessage(m3));

            Assert.Equal(PureMessage1, Convert.ToHexStringLower(m1));
            Assert.Equal(PureMessage2, Convert.ToHexStringLower(m2));
            Assert.Equal(PureMessage3, Convert.ToHexStringLower(m3));
            Assert.True(initiator.IsComplete && responder.IsComplete);
            Assert.Equal(InitiatorStaticPublic, Convert.ToHexStringLower(responder.RemoteStaticKey!));
            Assert.Equal(ResponderStaticPublic, Convert.ToHexStringLower(initiator.RemoteStaticKey!));

            var (iSend, iReceive) = initiator.Split();
            var (rSend, rReceive) = responder.Split();
            Assert.Equal(iSend, rReceive);
            Assert.Equal(iReceive, rSend);

            Assert.Equal(PureTransportCipherIr, Encrypt(iSend, PureTransportPlainIr));
            Assert.Equal(PureTransportCipherRi, Encrypt(rSend, PureTransportPlainRi));
        }
    }

    [Fact]
    public void Libp2p_vector_b_handshake_state_with_the_vector_payloads()
    {
        var (initiator, responder) = VectorStates();
        using (initiator)
        using (responder)
        {
            var m1 = initiator.WriteMessage([]);
            responder.ReadMessage(m1);
            var m2 = responder.WriteMessage(Bytes(ResponderPayload));
            Assert.Equal(ResponderPayload, Convert.ToHexStringLower(initiator.ReadMessage(m2)));
            var m3 = initiator.WriteMessage(Bytes(InitiatorPayload));
            Assert.Equal(InitiatorPayload, Convert.ToHexStringLower(responder.ReadMessage(m3)));

            Assert.Equal(FramedMessage1, "0020" + Convert.ToHexStringLower(m1));
            Assert.Equal(FramedMessage2, "00d8" + Convert.ToHexStringLower(m2));
            Assert.Equal(FramedMessage3, "00b8" + Convert.ToHexStringLower(m3));

            var (k1, k2) = initiator.Split();
            Assert.Equal(K1, Convert.ToHexStringLower(k1));
            Assert.Equal(K2, Convert.ToHexStringLower(k2));
            var (responderSend, responderReceive) = responder.Split();
            Assert.Equal(k2, responderSend);
            Assert.Equal(k1, responderReceive);
        }
    }

    [Fact]
    public async Task Libp2p_vector_b_initiator_writes_the_exact_bytes()
    {
        using var identity = IdentityKey.FromSeed(Bytes(InitiatorIdentitySeed));
        var security = VectorSecurity(identity, InitiatorStatic, InitiatorEphemeral);
        var wire = new ScriptedStream(Bytes(FramedMessage2), seed: 1);

        var result = await security.SecureOutboundAsync(wire, PeerId.Parse(ResponderPeerId), Guard);

        Assert.Equal(FramedMessage1 + FramedMessage3, Convert.ToHexStringLower(wire.Written));
        Assert.Equal(ResponderPeerId, result.RemotePeer.ToString());
        Assert.Equal(KeyType.Ed25519, result.RemoteKey.Type);
        Assert.Equal("/yamux/1.0.0", result.EarlyMuxer);

        await result.Stream.WriteAsync(Bytes(FirstTransportPlain), Guard);
        Assert.Equal(FramedMessage1 + FramedMessage3 + FirstTransportFramed, Convert.ToHexStringLower(wire.Written));
    }

    [Fact]
    public async Task Libp2p_vector_b_responder_writes_the_exact_bytes_and_reads_the_first_transport_message()
    {
        using var identity = IdentityKey.FromSeed(Bytes(ResponderIdentitySeed));
        var security = VectorSecurity(identity, ResponderStatic, ResponderEphemeral);
        var wire = new ScriptedStream(Bytes(FramedMessage1 + FramedMessage3 + FirstTransportFramed), seed: 2);

        var result = await security.SecureInboundAsync(wire, Guard);

        Assert.Equal(FramedMessage2, Convert.ToHexStringLower(wire.Written));
        Assert.Equal(InitiatorPeerId, result.RemotePeer.ToString());
        Assert.Equal("/yamux/1.0.0", result.EarlyMuxer);
        var plaintext = new byte[12];
        await result.Stream.ReadExactlyAsync(plaintext, Guard);
        Assert.Equal(FirstTransportPlain, Convert.ToHexStringLower(plaintext));
        Assert.Equal(0, await result.Stream.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, Guard));
    }

    internal static NoiseSecurity VectorSecurity(IdentityKey identity, string staticKey, string ephemeralKey) =>
        new(identity, ["/yamux/1.0.0"])
        {
            StaticKey = X25519KeyPair.FromPrivateKey(Bytes(staticKey)),
            EphemeralKeyFactory = () => X25519KeyPair.FromPrivateKey(Bytes(ephemeralKey)),
        };

    private static (HandshakeState Initiator, HandshakeState Responder) VectorStates() =>
        (new HandshakeState(true, X25519KeyPair.FromPrivateKey(Bytes(InitiatorStatic)), () => X25519KeyPair.FromPrivateKey(Bytes(InitiatorEphemeral))),
         new HandshakeState(false, X25519KeyPair.FromPrivateKey(Bytes(ResponderStatic)), () => X25519KeyPair.FromPrivateKey(Bytes(ResponderEphemeral))));

    private static string Encrypt(byte[] key, string plaintextHex)
    {
        using var cipher = new CipherState(key);
        var plaintext = Bytes(plaintextHex);
        var output = new byte[plaintext.Length + CipherState.TagSize];
        cipher.EncryptWithAd([], plaintext, output);
        return Convert.ToHexStringLower(output);
    }
}
