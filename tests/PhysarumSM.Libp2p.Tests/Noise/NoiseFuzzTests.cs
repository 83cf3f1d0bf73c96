using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Noise;
using static PhysarumSM.Libp2p.Tests.Noise.NoiseVectors;

namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>
/// Random, truncated, corrupted and oversized input at every handshake message and in the transport phase:
/// the only acceptable failures are HandshakeException / Libp2pProtocolException (and EndOfStream as an
/// IOException). The vector (b) keys make the valid messages deterministic, so mutations start from real bytes.
/// </summary>
public sealed class NoiseFuzzTests
{
    private static readonly IdentityKey InitiatorIdentity = IdentityKey.FromSeed(Bytes(InitiatorIdentitySeed));
    private static readonly IdentityKey ResponderIdentity = IdentityKey.FromSeed(Bytes(ResponderIdentitySeed));

    /// <summary>A mutation of a valid byte string, chosen and placed by FsCheck.</summary>
    public sealed record Mutation(int Kind, int Position, byte[] Noise)
    {
        public byte[] Apply(byte[] valid)
        {
            var at = valid.Length == 0 ? 0 : (int)((uint)Position % (uint)valid.Length);
            var noise = Noise.Length == 0 ? [0x5a] : Noise;
            return ((uint)Kind % 7) switch
            {
                0 => noise, // pure garbage
                1 => valid[..at], // truncated
                2 => Flip(valid, at, noise.Length % 8), // one bit flipped
                3 => [.. valid[..at], .. noise, .. valid[Math.Min(valid.Length, at + noise.Length)..]], // overwritten
                4 => [.. valid[..at], .. noise, .. valid[at..]], // inserted
                5 => [0xff, 0xff, .. noise], // oversized length prefix, short body
                _ => [.. valid, .. noise], // trailing garbage
            };
        }

        private static byte[] Flip(byte[] valid, int at, int bit)
        {
            var copy = valid.ToArray();
            if (copy.Length > 0)
            {
                copy[at] ^= (byte)(1 << bit);
            }

            return copy;
        }
    }

    public static Arbitrary<Mutation> Mutations() =>
        (from kind in Gen.Choose(0, 6)
         from position in ArbMap.Default.GeneratorFor<int>()
         from noise in Gen.OneOf(
             ArbMap.Default.GeneratorFor<byte[]>(),
             Gen.Choose(0, 70_000).Select(n => Enumerable.Range(0, n).Select(i => (byte)(i * 31)).ToArray()))
         select new Mutation(kind, position, noise)).ToArbitrary();

    [Property(MaxTest = 200, Arbitrary = [typeof(NoiseFuzzTests)])]
    public bool Responder_given_any_first_message_fails_only_with_HandshakeException(Mutation mutation, int seed) =>
        OnlyHandshakeFailures(() => Responder().SecureInboundAsync(new ScriptedStream(mutation.Apply(Bytes(FramedMessage1)), seed), Guard()));

    [Property(MaxTest = 200)]
    public bool Responder_given_random_bytes_fails_only_with_HandshakeException(byte[] garbage, int seed) =>
        OnlyHandshakeFailures(() => Responder().SecureInboundAsync(new ScriptedStream(garbage, seed), Guard()));

    [Property(MaxTest = 300, Arbitrary = [typeof(NoiseFuzzTests)])]
    public bool Responder_given_any_third_message_fails_only_with_HandshakeException(Mutation mutation, int seed) =>
        OnlyHandshakeFailures(() => Responder().SecureInboundAsync(
            new ScriptedStream([.. Bytes(FramedMessage1), .. mutation.Apply(Bytes(FramedMessage3))], seed), Guard()));

    [Property(MaxTest = 300, Arbitrary = [typeof(NoiseFuzzTests)])]
    public bool Initiator_given_any_second_message_fails_only_with_HandshakeException(Mutation mutation, int seed) =>
        OnlyHandshakeFailures(() => Initiator().SecureOutboundAsync(
            new ScriptedStream(mutation.Apply(Bytes(FramedMessage2)), seed), PeerId.Parse(ResponderPeerId), Guard()));

    [Property(MaxTest = 200)]
    public bool Initiator_given_random_bytes_fails_only_with_HandshakeException(byte[] garbage, int seed) =>
        OnlyHandshakeFailures(() => Initiator().SecureOutboundAsync(new ScriptedStream(garbage, seed), null, Guard()));

    [Property(MaxTest = 300, Arbitrary = [typeof(NoiseFuzzTests)])]
    public bool Transport_reader_given_corrupted_frames_fails_only_with_protocol_errors(Mutation mutation, int seed)
    {
        var frames = new ScriptedStream([]);
        var sender = new NoiseStream(frames, Bytes(K1), Bytes(K2));
        sender.Write(Bytes(FirstTransportPlain));
        sender.Write(new byte[70_000]); // two frames, the first of maximum size
        sender.Write("tail"u8);
        var reader = new NoiseStream(new ScriptedStream(mutation.Apply(frames.Written), seed), Bytes(K2), Bytes(K1));

        var buffer = new byte[1 + (int)((uint)seed % 100_000)];
        try
        {
            while (reader.ReadAsync(buffer, Guard()).AsTask().GetAwaiter().GetResult() > 0)
            {
            }
        }
        catch (Libp2pProtocolException)
        {
        }
        catch (EndOfStreamException)
        {
        }

        return true;
    }

    [Property(MaxTest = 200)]
    public bool Transport_reader_given_random_bytes_fails_only_with_protocol_errors(byte[] garbage)
    {
        var reader = new NoiseStream(new ScriptedStream(garbage), Bytes(K2), Bytes(K1));
        try
        {
            return reader.Read(new byte[64]) >= 0 && garbage.Length < 18; // nothing this short or random can authenticate
        }
        catch (Libp2pProtocolException)
        {
            return true;
        }
    }

    private static NoiseSecurity Responder() => NoiseVectorTests.VectorSecurity(ResponderIdentity, ResponderStatic, ResponderEphemeral);

    private static NoiseSecurity Initiator() => NoiseVectorTests.VectorSecurity(InitiatorIdentity, InitiatorStatic, InitiatorEphemeral);

    // A failure guard only: the scripted peer ends every script with end-of-stream, so nothing should wait.
    private static CancellationToken Guard() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    /// <summary>True when the handshake succeeded or failed with HandshakeException; anything else propagates and fails the property.</summary>
    private static bool OnlyHandshakeFailures(Func<Task> handshake)
    {
        try
        {
            handshake().GetAwaiter().GetResult();
        }
        catch (HandshakeException)
        {
        }

        return true;
    }
}
