using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Noise;
using PhysarumSM.Libp2p.Security;
using PhysarumSM.Libp2p.Tests.Support;

namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>Noise handshakes over real loopback TCP: both roles, muxer negotiation, identity checks.</summary>
public sealed class NoiseHandshakeTests
{
    private const string Yamux = "/yamux/1.0.0";
    private const string Mplex = "/mplex/6.7.0";

    private static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public static TheoryData<string[], string[], string?> MuxerCases => new()
    {
        { [Yamux], [Yamux], Yamux },
        { [Mplex, Yamux], [Yamux, Mplex], Mplex }, // the initiator's preference wins
        { [Yamux, Mplex], [Mplex], Mplex },
        { [], [Yamux], null },
        { [Yamux], [], null },
        { [], [], null },
    };

    [Theory]
    [MemberData(nameof(MuxerCases))]
    public async Task Both_roles_agree_on_peers_keys_and_early_muxer(string[] dialerMuxers, string[] listenerMuxers, string? expected)
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        using var listenerId = IdentityKey.Generate();
        var (outbound, inbound) = await HandshakeAsync(
            pair, new NoiseSecurity(dialerId, dialerMuxers), new NoiseSecurity(listenerId, listenerMuxers), listenerId.PeerId);

        Assert.Equal(listenerId.PeerId, outbound.RemotePeer);
        Assert.Equal(dialerId.PeerId, inbound.RemotePeer);
        Assert.Equal<PublicKey>(listenerId.PublicKey, outbound.RemoteKey);
        Assert.Equal<PublicKey>(dialerId.PublicKey, inbound.RemoteKey);
        Assert.Equal(expected, outbound.EarlyMuxer);
        Assert.Equal(expected, inbound.EarlyMuxer);
        Assert.IsType<NoiseStream>(outbound.Stream);
        Assert.Equal("/noise", new NoiseSecurity(dialerId, []).ProtocolId);
    }

    [Fact]
    public async Task Dialling_without_an_expected_peer_accepts_whoever_answers()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        using var listenerId = IdentityKey.Generate();
        var (outbound, _) = await HandshakeAsync(pair, new NoiseSecurity(dialerId, [Yamux]), new NoiseSecurity(listenerId, [Yamux]), null);
        Assert.Equal(listenerId.PeerId, outbound.RemotePeer);
    }

    [Fact]
    public async Task Large_and_many_small_writes_arrive_intact_in_both_directions()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        using var listenerId = IdentityKey.Generate();
        var (outbound, inbound) = await HandshakeAsync(pair, new NoiseSecurity(dialerId, [Yamux]), new NoiseSecurity(listenerId, [Yamux]), listenerId.PeerId);

        var random = new Random(11);
        var large = new byte[(3 << 20) + 17];
        random.NextBytes(large);
        var smalls = Enumerable.Range(0, 5000).Select(_ =>
        {
            var chunk = new byte[random.Next(1, 60)];
            random.NextBytes(chunk);
            return chunk;
        }).ToArray();
        byte[] expected = [.. large, .. smalls.SelectMany(c => c)];

        async Task SendAsync(Stream stream)
        {
            await stream.WriteAsync(large, Guard);
            foreach (var chunk in smalls)
            {
                await stream.WriteAsync(chunk, Guard);
            }

            await stream.FlushAsync(Guard);
        }

        async Task<byte[]> ReceiveAsync(Stream stream, int seed)
        {
            var reader = new Random(seed);
            var received = new byte[expected.Length];
            var position = 0;
            while (position < received.Length)
            {
                // Random read sizes: smaller than a message, exactly one, or several.
                var want = Math.Min(received.Length - position, reader.Next(1, 200_000));
                var n = await stream.ReadAsync(received.AsMemory(position, want), Guard);
                Assert.NotEqual(0, n);
                position += n;
            }

            return received;
        }

        var work = Task.WhenAll(SendAsync(outbound.Stream), SendAsync(inbound.Stream));
        var atListener = ReceiveAsync(inbound.Stream, 1);
        var atDialer = ReceiveAsync(outbound.Stream, 2);
        await work;
        Assert.Equal(expected, await atListener);
        Assert.Equal(expected, await atDialer);
    }

    [Fact]
    public async Task Wrong_expected_peer_fails_the_dialer_with_both_ids_in_the_message()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        using var listenerId = IdentityKey.Generate();
        using var someoneElse = IdentityKey.Generate();
        var outbound = new NoiseSecurity(dialerId, [Yamux]).SecureOutboundAsync(pair.Client, someoneElse.PeerId, Guard);
        var inbound = new NoiseSecurity(listenerId, [Yamux]).SecureInboundAsync(pair.Server, Guard);

        var e = await Assert.ThrowsAsync<HandshakeException>(() => outbound);
        Assert.Equal($"dialled {someoneElse.PeerId} but the peer is {listenerId.PeerId}", e.Message);
        pair.Client.Dispose();
        await Assert.ThrowsAsync<HandshakeException>(() => inbound);
    }

    [Fact]
    public async Task Handshake_failures_are_logged_by_role()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        using var listenerId = IdentityKey.Generate();
        var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var outbound = new NoiseSecurity(dialerId, [Yamux], loggerFactory).SecureOutboundAsync(pair.Client, dialerId.PeerId, Guard);
        var inbound = new NoiseSecurity(listenerId, [Yamux], loggerFactory).SecureInboundAsync(pair.Server, Guard);

        await Assert.ThrowsAsync<HandshakeException>(() => outbound);
        pair.Client.Dispose();
        await Assert.ThrowsAsync<HandshakeException>(() => inbound);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("as initiator: dialled", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("as responder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disjoint_muxer_lists_fail_both_sides()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        using var listenerId = IdentityKey.Generate();
        var outbound = new NoiseSecurity(dialerId, [Yamux]).SecureOutboundAsync(pair.Client, listenerId.PeerId, Guard);
        var inbound = new NoiseSecurity(listenerId, [Mplex]).SecureInboundAsync(pair.Server, Guard);

        var e = await Assert.ThrowsAsync<HandshakeException>(() => outbound);
        Assert.Contains("no common stream muxer", e.Message, StringComparison.Ordinal);
        pair.Client.Dispose();
        await Assert.ThrowsAsync<HandshakeException>(() => inbound);
    }

    [Fact]
    public void Early_muxer_rule_is_the_initiators_first_shared_entry()
    {
        Assert.Equal(Mplex, NoiseSecurity.SelectEarlyMuxer([Mplex, Yamux], [Yamux, Mplex]));
        Assert.Null(NoiseSecurity.SelectEarlyMuxer([], [Yamux]));
        Assert.Throws<HandshakeException>(() => NoiseSecurity.SelectEarlyMuxer([Yamux], [Mplex]));
    }

    [Fact]
    public async Task Invalid_remote_signature_fails_the_dialer()
    {
        using var liar = IdentityKey.Generate();
        var e = await DialRogueAsync(staticKey =>
        {
            // Signs the right prefix over the wrong key bytes.
            var signature = liar.Sign(NoisePayload.SignedData(new byte[32]));
            return RogueNoisePeer.Payload(1, liar.PublicKey.Data.ToArray(), signature, Yamux);
        });
        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_by_another_key_fails_the_listener()
    {
        using var claimed = IdentityKey.Generate();
        using var actualSigner = IdentityKey.Generate();
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var listenerId = IdentityKey.Generate();
        var inbound = new NoiseSecurity(listenerId, [Yamux]).SecureInboundAsync(pair.Server, Guard);
        await RogueNoisePeer.InitiateAsync(pair.Client, staticKey =>
            RogueNoisePeer.Payload(1, claimed.PublicKey.Data.ToArray(), actualSigner.Sign(NoisePayload.SignedData(staticKey)), Yamux), Guard);
        var e = await Assert.ThrowsAsync<HandshakeException>(() => inbound);
        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("secp256k1")]
    [InlineData("ecdsa")]
    public async Task Remote_identities_of_other_key_types_are_verified(string keyType)
    {
        using var signer = OtherKey.Create(keyType);
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        var expectedKey = PublicKey.FromProtobuf(RogueNoisePeer.KeyProtobuf(signer.Type, signer.Data));
        var expectedPeer = PeerId.FromPublicKey(expectedKey);

        var outbound = new NoiseSecurity(dialerId, [Yamux]).SecureOutboundAsync(pair.Client, expectedPeer, Guard);
        var rogue = RogueNoisePeer.RespondAsync(pair.Server, staticKey =>
            RogueNoisePeer.Payload(signer.Type, signer.Data, signer.Sign(NoisePayload.SignedData(staticKey)), Yamux), Guard);

        var result = await outbound;
        await rogue;
        Assert.Equal(expectedPeer, result.RemotePeer);
        Assert.Equal((KeyType)signer.Type, result.RemoteKey.Type);
        Assert.StartsWith(keyType == "secp256k1" ? "16Uiu2HA" : "Qm", result.RemotePeer.ToString(), StringComparison.Ordinal);
        Assert.Equal(Yamux, result.EarlyMuxer);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("secp256k1")]
    [InlineData("ecdsa")]
    public async Task Remote_identities_of_other_key_types_with_bad_signatures_fail_clearly(string keyType)
    {
        using var signer = OtherKey.Create(keyType);
        var e = await DialRogueAsync(staticKey =>
        {
            var signature = signer.Sign(NoisePayload.SignedData(staticKey));
            signature[^1] ^= 0x01;
            return RogueNoisePeer.Payload(signer.Type, signer.Data, signature, Yamux);
        });
        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> BadIdentityPayloads => new()
    {
        { "unsupported or malformed", RogueNoisePeer.Payload(9, new byte[32], new byte[64]) }, // unknown key type
        { "unsupported or malformed", RogueNoisePeer.Payload(1, new byte[31], new byte[64]) }, // short Ed25519 key
        { "unsupported or malformed", RogueNoisePeer.Payload(0, [1, 2, 3], new byte[64]) }, // RSA key that is not DER
        { "unsupported or malformed", RogueNoisePeer.Payload(2, [0x02, .. Enumerable.Repeat((byte)0xff, 32)], new byte[64]) }, // off-curve point
        { "no identity_key", [0x12, 0x01, 0x00] },
        { "no identity_sig", [0x0a, 0x01, 0x00] },
        { "not a valid NoiseHandshakePayload", [0xff, 0xff, 0xff] },
        { "not a valid NoiseHandshakePayload", [0x0a, 0x24, 0x08, 0x01] }, // truncated
        { "not a valid NoiseHandshakePayload", [.. RogueNoisePeer.Payload(1, new byte[32], new byte[64]), 0x22, 0x03, 0x12, 0x01, 0xff] }, // muxer not UTF-8
        { "more than 100 stream muxers", RogueNoisePeer.Payload(1, new byte[32], new byte[64], [.. Enumerable.Range(0, 101).Select(i => $"/m/{i}")]) },
    };

    [Theory]
    [MemberData(nameof(BadIdentityPayloads))]
    public async Task Malformed_or_unsupported_identity_payloads_fail_with_HandshakeException(string messagePart, byte[] payload)
    {
        var e = await DialRogueAsync(_ => payload);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_during_the_handshake_is_observed()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var listenerId = IdentityKey.Generate();
        using var cts = new CancellationTokenSource();
        var inbound = new NoiseSecurity(listenerId, [Yamux]).SecureInboundAsync(pair.Server, cts.Token);
        await cts.CancelAsync(); // the dialer never speaks
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inbound);
    }

    private static async Task<HandshakeException> DialRogueAsync(RogueNoisePeer.PayloadBuilder payload)
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        using var dialerId = IdentityKey.Generate();
        var outbound = new NoiseSecurity(dialerId, [Yamux]).SecureOutboundAsync(pair.Client, null, Guard);
        var rogue = RogueNoisePeer.RespondAsync(pair.Server, payload, Guard);
        var e = await Assert.ThrowsAsync<HandshakeException>(() => outbound);
        pair.Client.Dispose();
        await rogue;
        return e;
    }

    private static async Task<(SecuredConnection Outbound, SecuredConnection Inbound)> HandshakeAsync(
        LoopbackPair pair, NoiseSecurity dialer, NoiseSecurity listener, PeerId? expected)
    {
        var outbound = dialer.SecureOutboundAsync(pair.Client, expected, Guard);
        var inbound = listener.SecureInboundAsync(pair.Server, Guard);
        return (await outbound, await inbound);
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

        public IReadOnlyCollection<(LogLevel Level, string Message)> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }

    /// <summary>A BCL key of a non-Ed25519 libp2p type, with that type's signature rule.</summary>
    private sealed class OtherKey : IDisposable
    {
        private readonly AsymmetricAlgorithm _key;
        private readonly Func<byte[], byte[]> _sign;

        private OtherKey(int type, byte[] data, AsymmetricAlgorithm key, Func<byte[], byte[]> sign)
        {
            Type = type;
            Data = data;
            _key = key;
            _sign = sign;
        }

        public int Type { get; }

        public byte[] Data { get; }

        public static OtherKey Create(string name)
        {
            switch (name)
            {
                case "rsa":
                    var rsa = RSA.Create(2048);
                    return new OtherKey(0, rsa.ExportSubjectPublicKeyInfo(), rsa,
                        data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                case "secp256k1":
                    var k1 = ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1"));
                    return new OtherKey(2, RogueNoisePeer.CompressedPoint(k1), k1,
                        data => k1.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                default:
                    var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    return new OtherKey(3, p256.ExportSubjectPublicKeyInfo(), p256,
                        data => p256.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            }
        }

        public byte[] Sign(byte[] data) => _sign(data);

        public void Dispose() => _key.Dispose();
    }
}
