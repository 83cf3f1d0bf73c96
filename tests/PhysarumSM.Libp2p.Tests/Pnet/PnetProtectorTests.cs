using System.Buffers.Binary;
using System.Diagnostics;
using System.Reflection;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Noise;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Tests.Noise;
using PhysarumSM.Libp2p.Tests.Support;

namespace PhysarumSM.Libp2p.Tests.Pnet;

/// <summary>The pnet wire protocol (wire digest 6.3, 6.4) over scripted and loopback connections.</summary>
public sealed class PnetProtectorTests
{
    private static readonly byte[] CountingNonce = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();

    // "/multistream/1.0.0\n" and "/noise\n", each varint-length framed (28 bytes).
    private static readonly byte[] MultistreamHello = Convert.FromHexString("132f6d756c746973747265616d2f312e302e300a072f6e6f6973650a");
    private const string ExpectedCiphertext = "a1288c834713a227cf3ae9d94f1f49746e6a303309c2c21fe2f584aa";

    private static CancellationToken Guard => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task Wire_bytes_match_the_digest_example_and_the_callers_buffer_is_untouched()
    {
        var psk = PreSharedKey.FromPassphrase("toInfinityAndBeyond!");
        var raw = new ScriptedStream([]);
        var stream = await new PnetProtector(psk, () => CountingNonce.ToArray()).ProtectAsync(raw, Guard);

        // The nonce goes out before any payload is written.
        Assert.Equal(CountingNonce, raw.Written);

        var plaintext = MultistreamHello.ToArray();
        await stream.WriteAsync(plaintext.AsMemory(0, 20), Guard);
        await stream.WriteAsync(plaintext.AsMemory(20), Guard);
        Assert.Equal(MultistreamHello, plaintext);
        Assert.Equal("000102030405060708090a0b0c0d0e0f1011121314151617" + ExpectedCiphertext, Convert.ToHexStringLower(raw.Written));
    }

    [Fact]
    public async Task Reader_takes_the_peer_nonce_then_decrypts()
    {
        var psk = PreSharedKey.FromPassphrase("toInfinityAndBeyond!");
        var raw = new ScriptedStream([.. CountingNonce, .. Convert.FromHexString(ExpectedCiphertext)], seed: 3);
        var stream = await new PnetProtector(psk).ProtectAsync(raw, Guard);
        var received = new byte[MultistreamHello.Length];
        await stream.ReadExactlyAsync(received, Guard);
        Assert.Equal(MultistreamHello, received);
        Assert.Equal(0, await stream.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, Guard));
    }

    [Fact]
    public async Task Peer_closing_inside_its_nonce_is_a_protocol_error_and_closing_before_is_end_of_stream()
    {
        var psk = PreSharedKey.FromPassphrase("x");
        var truncated = await new PnetProtector(psk).ProtectAsync(new ScriptedStream(new byte[10]), Guard);
        await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await truncated.ReadAtLeastAsync(new byte[4], 1, throwOnEndOfStream: false, Guard));

        var empty = await new PnetProtector(psk).ProtectAsync(new ScriptedStream([]), Guard);
        Assert.Equal(0, await empty.ReadAtLeastAsync(new byte[4], 1, throwOnEndOfStream: false, Guard));
    }

    [Fact]
    public async Task Write_path_does_not_allocate_per_call()
    {
        var stream = await new PnetProtector(PreSharedKey.FromPassphrase("x")).ProtectAsync(Stream.Null, Guard);
        var payload = new byte[1500];
        Assert.Equal(0, SyncWriteAllocations(stream, payload));

        // Debug builds compile async methods to classes, so the async path is only allocation free when optimised.
        var debuggable = typeof(PnetProtector).Assembly.GetCustomAttribute<DebuggableAttribute>();
        if (debuggable is null || !debuggable.IsJITOptimizerDisabled)
        {
            Assert.Equal(0, await AsyncWriteAllocationsAsync(stream, payload));
        }
    }

    private static long SyncWriteAllocations(Stream stream, byte[] payload)
    {
        stream.Write(payload); // warm up the pool
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            stream.Write(payload);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static async Task<long> AsyncWriteAllocationsAsync(Stream stream, byte[] payload)
    {
        await stream.WriteAsync(payload);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            await stream.WriteAsync(payload); // completes synchronously on Stream.Null, so the thread stays
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public async Task Same_key_round_trips_both_ways_over_loopback()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        var psk = PreSharedKey.FromPassphrase("toInfinityAndBeyond!");
        var protector = new PnetProtector(psk);
        var (client, server) = await ProtectBothAsync(pair, protector, protector);

        var random = new Random(7);
        foreach (var size in new[] { 1, 23, 24, 25, 511, 512, 513, 4096, 1 << 20 })
        {
            var toServer = new byte[size];
            var toClient = new byte[size];
            random.NextBytes(toServer);
            random.NextBytes(toClient);
            var sends = Task.WhenAll(client.WriteAsync(toServer, Guard).AsTask(), server.WriteAsync(toClient, Guard).AsTask());
            var atServer = new byte[size];
            var atClient = new byte[size];
            await Task.WhenAll(server.ReadExactlyAsync(atServer, Guard).AsTask(), client.ReadExactlyAsync(atClient, Guard).AsTask());
            await sends;
            Assert.Equal(toServer, atServer);
            Assert.Equal(toClient, atClient);
        }
    }

    [Fact]
    public async Task Different_keys_yield_garbage()
    {
        await using var pair = await LoopbackPair.CreateAsync(Guard);
        var (client, server) = await ProtectBothAsync(
            pair, new PnetProtector(PreSharedKey.FromPassphrase("alpha")), new PnetProtector(PreSharedKey.FromPassphrase("beta")));
        await client.WriteAsync(MultistreamHello, Guard);
        var received = new byte[MultistreamHello.Length];
        await server.ReadExactlyAsync(received, Guard);
        Assert.NotEqual(MultistreamHello, received);
    }

    [Fact]
    public async Task Noise_over_mismatched_pnet_fails_with_HandshakeException()
    {
        // Mismatched keys turn Noise's length prefix into noise. Choose a dialer nonce for which the
        // responder sees a prefix shorter than an X25519 key, so Noise's own length check ends the
        // handshake at once; with other nonces it is the caller's handshake timeout that ends it.
        var dialerKey = PreSharedKey.FromPassphrase("alpha");
        var listenerKey = PreSharedKey.FromPassphrase("beta");
        var nonce = FindNonceGarblingLengthBelow(32, dialerKey, listenerKey);

        await using var pair = await LoopbackPair.CreateAsync(Guard);
        var (client, server) = await ProtectBothAsync(pair, new PnetProtector(dialerKey, () => nonce.ToArray()), new PnetProtector(listenerKey));
        using var dialerIdentity = IdentityKey.Generate();
        using var listenerIdentity = IdentityKey.Generate();
        var dialer = new NoiseSecurity(dialerIdentity, ["/yamux/1.0.0"]);
        var listener = new NoiseSecurity(listenerIdentity, ["/yamux/1.0.0"]);

        var outbound = dialer.SecureOutboundAsync(client, listenerIdentity.PeerId, Guard);
        var inbound = listener.SecureInboundAsync(server, Guard);
        await Assert.ThrowsAsync<HandshakeException>(() => inbound);
        await server.DisposeAsync(); // what the upgrader does with a failed connection
        await Assert.ThrowsAsync<HandshakeException>(() => outbound);
    }

    private static byte[] FindNonceGarblingLengthBelow(int limit, PreSharedKey dialerKey, PreSharedKey listenerKey)
    {
        var nonce = new byte[24];
        for (var i = 0; ; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(nonce, i);
            var written = new byte[2];
            var seen = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(written, 32); // Noise message 1 prefix
            new XSalsa20(dialerKey.Key, nonce).Transform(written);
            new XSalsa20(listenerKey.Key, nonce).Transform(written, seen);
            if (BinaryPrimitives.ReadUInt16BigEndian(seen) < limit)
            {
                return nonce;
            }
        }
    }

    private static async Task<(Stream Client, Stream Server)> ProtectBothAsync(LoopbackPair pair, PnetProtector dialer, PnetProtector listener)
    {
        var client = dialer.ProtectAsync(pair.Client, Guard).AsTask();
        var server = listener.ProtectAsync(pair.Server, Guard).AsTask();
        return (await client, await server);
    }
}
